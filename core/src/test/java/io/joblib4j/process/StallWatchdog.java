package io.joblib4j.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Watches a test that runs worker JVMs: if it reports no {@link #progress()} for the stall time, the threads of this
 * JVM and of the worker JVMs it names are dumped (jcmd Thread.print) to a file and to stderr, and {@link #stalled()}
 * says so.
 */
final class StallWatchdog implements AutoCloseable {
    private final AtomicLong last = new AtomicLong(System.nanoTime());
    private final Thread thread;
    private final Supplier<Collection<Long>> workerPids;
    private volatile boolean closed;
    private volatile Path dump;

    StallWatchdog(String name, Duration stall, Supplier<Collection<Long>> workerPids) {
        this(name, stall, workerPids, () -> {});
    }

    /** As above; {@code onStall} runs (in the watchdog's thread) after the dumps. */
    StallWatchdog(String name, Duration stall, Supplier<Collection<Long>> workerPids, Runnable onStall) {
        this.workerPids = workerPids;
        this.thread = new Thread(
                () -> {
                    while (!closed) {
                        try {
                            Thread.sleep(500);
                        } catch (InterruptedException e) {
                            return;
                        }
                        if (dump == null && System.nanoTime() - last.get() > stall.toNanos()) {
                            dump = dumpAll(name);
                            onStall.run();
                        }
                    }
                },
                "stall-watchdog-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Something happened: a result came in, a call ended. */
    void progress() {
        last.set(System.nanoTime());
    }

    /** The file of the thread dumps if a stall was seen, else null. */
    Path stalled() {
        return dump;
    }

    private Path dumpAll(String name) {
        List<Long> pids = new ArrayList<>();
        pids.add(ProcessHandle.current().pid());
        try {
            pids.addAll(workerPids.get());
        } catch (RuntimeException e) {
            // no pool to ask
        }
        StringBuilder all = new StringBuilder("stall in " + name + ": no progress; threads of " + pids + "\n");
        for (long pid : pids) {
            all.append("===== ")
                    .append(pid)
                    .append(pid == ProcessHandle.current().pid() ? " (parent)" : " (worker)")
                    .append(" =====\n")
                    .append(threads(pid))
                    .append('\n');
        }
        try {
            Path file = Files.createTempFile("joblib4j-stall-" + name + "-", ".txt");
            Files.writeString(file, all);
            System.err.println(all);
            System.err.println("thread dumps written to " + file);
            return file;
        } catch (IOException e) {
            System.err.println(all);
            return Path.of("stderr");
        }
    }

    private static String threads(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "Thread.print")
                    .redirectErrorStream(true)
                    .start();
            byte[] out = p.getInputStream().readAllBytes();
            p.waitFor(60, TimeUnit.SECONDS);
            return new String(out, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(jcmd failed: " + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
