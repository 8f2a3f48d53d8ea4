package io.joblib4j.cli.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A cluster member in a JVM of its own, started through the entry point of {@code ./joblib4j worker}
 * ({@code io.joblib4j.cli.Main worker ...}) on 127.0.0.1, with this JVM's class path (so the tests' task classes are
 * on it). Ends with {@link #kill9()} or {@link #close()}, by PID.
 */
final class WorkerJvm implements AutoCloseable {
    final Process process;
    final String address;
    final String joinedLine;
    final Path log;
    private final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());

    private WorkerJvm(Process process, String address, String joinedLine, Path log) {
        this.process = process;
        this.address = address;
        this.joinedLine = joinedLine;
        this.log = log;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a member with these worker options (plus a free --port) and waits for its "joined cluster" line. */
    static WorkerJvm start(Path logDir, String... options) {
        int port = freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow",
                "-Xmx512m",
                "-XX:TieredStopAtLevel=1",
                "-Djoblib4j.hazelcast.memberLossSeconds=5",
                "-cp",
                System.getProperty("java.class.path"),
                "io.joblib4j.cli.Main",
                "worker",
                "--port",
                Integer.toString(port)));
        cmd.addAll(List.of(options));
        try {
            Files.createDirectories(logDir);
            Path log = Files.createTempFile(logDir, "worker-" + port + "-", ".log");
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(false)
                    .redirectError(log.toFile())
                    .start();
            CompletableFuture<List<String>> drainTo = new CompletableFuture<>();
            CompletableFuture<String> joined = CompletableFuture.supplyAsync(() -> {
                try {
                    BufferedReader r =
                            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                    String line;
                    while ((line = r.readLine()) != null) {
                        if (line.startsWith("joined cluster ")) {
                            String first = line;
                            Thread drain = new Thread(() -> {
                                try {
                                    List<String> sink = drainTo.join();
                                    String more;
                                    while ((more = r.readLine()) != null) {
                                        sink.add(more);
                                    }
                                } catch (IOException | RuntimeException e) {
                                    // the process ended
                                }
                            });
                            drain.setDaemon(true);
                            drain.start();
                            return first;
                        }
                    }
                    return null;
                } catch (IOException e) {
                    return null;
                }
            });
            String line;
            try {
                line = joined.get(90, TimeUnit.SECONDS);
            } catch (Exception e) {
                line = null;
            }
            if (line == null) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException(
                        "worker on port " + port + " did not join; its log:\n" + Files.readString(log));
            }
            // Should the test JVM end before the test closes the member, the member goes with it.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }));
            WorkerJvm w = new WorkerJvm(p, "127.0.0.1:" + port, line, log);
            w.lines.add(line);
            drainTo.complete(w.lines);
            return w;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts members at the same time (each with its own options, as {@link #start}) and waits for all of them; if
     * one fails, kills those that started and rethrows.
     */
    static List<WorkerJvm> startAll(Path logDir, List<List<String>> optionsOfEach) {
        List<CompletableFuture<WorkerJvm>> starting = optionsOfEach.stream()
                .map(o -> CompletableFuture.supplyAsync(() -> start(logDir, o.toArray(String[]::new))))
                .toList();
        List<WorkerJvm> started = new ArrayList<>();
        RuntimeException failure = null;
        for (CompletableFuture<WorkerJvm> f : starting) {
            try {
                started.add(f.join());
            } catch (java.util.concurrent.CompletionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : e;
                if (failure == null) {
                    failure = cause;
                } else {
                    failure.addSuppressed(cause);
                }
            }
        }
        if (failure != null) {
            started.forEach(WorkerJvm::close);
            throw failure;
        }
        return started;
    }

    /** The lines the member printed on its standard output so far. */
    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    long pid() {
        return process.pid();
    }

    /** {@code kill -9} of the member's JVM, by PID; waits until it is gone. */
    void kill9() {
        try {
            new ProcessBuilder("kill", "-9", Long.toString(pid())).start().waitFor(10, TimeUnit.SECONDS);
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM, then waits for a clean exit (kill -9 if it does not come within 30 s). Returns the exit code. */
    int terminate() {
        try {
            // SIGTERM by PID (Process.destroy() would also close our end of the member's output pipe, and we want
            // to read its last line).
            new ProcessBuilder("kill", "-TERM", Long.toString(pid())).start().waitFor(10, TimeUnit.SECONDS);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill9();
            }
            int code = process.exitValue();
            // The reader takes the last lines once the process is gone (the pipe is then at its end).
            try {
                org.awaitility.Awaitility.await()
                        .atMost(java.time.Duration.ofSeconds(10))
                        .until(() -> lines().stream().anyMatch(l -> l.startsWith("left cluster ")));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                // the caller's assertion reports the missing line
            }
            return code;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill9();
            return -1;
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            // Children first (worker JVMs of --isolate processes), then the member.
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            kill9();
        }
    }
}
