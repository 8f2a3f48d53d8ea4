package io.joblib4j.cli.demo;

import io.joblib4j.Joblib;
import io.joblib4j.hazelcast.HazelcastBackend;
import io.joblib4j.parallel.Parallel;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * The cluster backend's example: two members started as {@code ./joblib4j worker --slots 4} on 127.0.0.1 (JVMs of
 * their own), ten tasks that sleep 1 s each (about 2 s on 8 slots); then the same with one member killed with
 * {@code kill -9} half a second into the call: every result comes back, and the row says how long after the kill
 * the lost tasks were running again on the other member.
 */
public final class ClusterDemo implements DemoSection {
    private static final int SLOTS = 4;
    private static final int TASKS = 10;

    @Override
    public String title() {
        return "Cluster";
    }

    /** A task's report: its index, its attempt, when it started (epoch ms) and the member's PID. */
    public record Ran(int index, int attempt, long startedMillis, long pid) implements java.io.Serializable {}

    static Ran sleepOneSecond(int i) throws InterruptedException {
        long start = System.currentTimeMillis();
        Thread.sleep(1000);
        return new Ran(
                i, Joblib.currentAttempt(), start, ProcessHandle.current().pid());
    }

    @Override
    public void run(DemoReport report) throws Exception {
        report.section(title());
        String example = TASKS + " x 1 s sleeps, 2 members x " + SLOTS + " slots";
        String name = "joblib4j-demo-" + ProcessHandle.current().pid();
        List<Member> members = new ArrayList<>();
        try {
            members.add(Member.start(name, null));
            members.add(Member.start(name, members.getFirst().address));
            try (HazelcastBackend cluster = HazelcastBackend.connect(
                            HazelcastBackend.clientConfig(name, members.get(0).address, members.get(1).address));
                    Parallel p = Parallel.builder()
                            .backend(cluster)
                            .nJobs(-1)
                            .batchSize(1)
                            .build()) {
                List<Integer> inputs = IntStream.range(0, TASKS).boxed().toList();
                p.map(i -> i, inputs); // warm-up: connections, class loading on the members
                var all = Step.run(System.out, example, null, () -> p.map(ClusterDemo::sleepOneSecond, inputs));
                report.row(
                        example,
                        "both members",
                        all.time(),
                        "every result: " + all.value().size());

                Member victim = members.get(1);
                long[] killedAt = new long[1];
                Thread killer = new Thread(() -> {
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                    killedAt[0] = System.currentTimeMillis();
                    victim.kill9();
                });
                killer.start();
                var hit = Step.run(
                        System.out,
                        example + ", kill -9 of one member after 0.5 s",
                        null,
                        () -> p.map(ClusterDemo::sleepOneSecond, inputs));
                killer.join();
                long rerunStart = hit.value().stream()
                        .filter(r -> r.attempt() > 1)
                        .mapToLong(Ran::startedMillis)
                        .min()
                        .orElse(killedAt[0]);
                long reruns = hit.value().stream().filter(r -> r.attempt() > 1).count();
                report.row(
                        example,
                        "one member killed mid-call",
                        hit.time(),
                        "every result: " + hit.value().size() + ", " + reruns + " re-run on the survivor, running "
                                + Duration.ofMillis(rerunStart - killedAt[0]).toMillis() + " ms after the kill");
            }
        } finally {
            members.forEach(Member::close);
        }
    }

    /** A member JVM: {@code io.joblib4j.cli.Main worker} with this JVM's class path, on a free loopback port. */
    private record Member(Process process, String address) {
        static Member start(String cluster, String join) throws IOException {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
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
                    Integer.toString(SLOTS),
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
                            System.out.println("  " + line);
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
                ok = joined.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                ok = false;
            }
            if (!ok) {
                p.destroyForcibly();
                throw new IOException("a cluster member did not start: "
                        + String.join(" ", cmd)
                                .replace(System.getProperty("java.class.path"), "<class path>" + File.pathSeparator));
            }
            return new Member(p, "127.0.0.1:" + port);
        }

        void kill9() {
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

        void close() {
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
}
