package io.joblib4j.cli.demo;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A cluster member in a JVM of its own: {@code io.joblib4j.cli.Main worker} (what {@code ./joblib4j worker} runs)
 * with this JVM's class path, on a free loopback port. Used by the demo and the cluster benchmarks.
 *
 * @param process the member's JVM
 * @param address its {@code host:port}
 */
public record MemberJvm(Process process, String address) {
    /**
     * Starts a member and waits (at most 90 s) until it has joined.
     *
     * @param join      the address of a member to join, or null to start a new cluster
     * @param echoJoin  print the member's "joined cluster" line on standard output
     * @throws IOException if it could not start or did not join in time
     */
    public static MemberJvm start(String cluster, String join, int slots, boolean echoJoin) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow",
                "-cp",
                System.getProperty("java.class.path"),
                "io.joblib4j.cli.Main",
                "worker",
                "--port",
                Integer.toString(port),
                "--slots",
                Integer.toString(slots),
                "--cluster-name",
                cluster));
        if (join != null) {
            cmd.addAll(List.of("--join", join));
        }
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        CompletableFuture<Boolean> joined = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader r =
                        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("joined cluster")) {
                        if (echoJoin) {
                            System.out.println("  " + line);
                        }
                        return true;
                    }
                }
            } catch (IOException e) {
                // the member ended
            }
            return false;
        });
        boolean ok;
        try {
            ok = joined.get(90, TimeUnit.SECONDS);
        } catch (Exception e) {
            ok = false;
        }
        if (!ok) {
            p.destroyForcibly();
            throw new IOException("a cluster member did not start: "
                    + String.join(" ", cmd)
                            .replace(System.getProperty("java.class.path"), "<class path>" + File.pathSeparator));
        }
        return new MemberJvm(p, "127.0.0.1:" + port);
    }

    /** Kills the member with SIGKILL, by its pid. */
    public void kill9() {
        try {
            new ProcessBuilder("kill", "-9", Long.toString(process.pid()))
                    .start()
                    .waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the member (SIGTERM), killing it if it has not ended within 30 s. */
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    kill9();
                }
            } catch (InterruptedException e) {
                kill9();
                Thread.currentThread().interrupt();
            }
        }
    }
}
