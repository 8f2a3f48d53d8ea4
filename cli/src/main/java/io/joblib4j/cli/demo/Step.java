package io.joblib4j.cli.demo;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Feedback for one step of the demo: a line saying what starts (and how long it should take), a line every few
 * seconds while it runs, and the time it took when it ends, so that no step over a second runs in silence.
 */
final class Step {
    /** How often a running step says it is still running. */
    static final Duration TICK = Duration.ofSeconds(3);

    private Step() {}

    /** Runs {@code body}, announced as {@code label} (with {@code expected}, such as "about 10 s", when not null). */
    static <T> Timed<T> run(PrintStream out, String label, String expected, Callable<T> body) throws Exception {
        return run(out, label, expected, body, true);
    }

    /**
     * {@link #run} for a step that shows a progress bar: on a terminal the bar is the feedback, so no "so far" lines
     * are printed into it; elsewhere (the bar is silent off a terminal) they are.
     */
    static <T> Timed<T> withBar(PrintStream out, String label, String expected, Callable<T> body) throws Exception {
        return run(out, label, expected, body, !stderrIsTerminal());
    }

    private static boolean stderrIsTerminal() {
        try {
            String t = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/2"))
                    .toString();
            return t.startsWith("/dev/pts/") || t.startsWith("/dev/tty");
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    private static <T> Timed<T> run(PrintStream out, String label, String expected, Callable<T> body, boolean tick)
            throws Exception {
        out.println("  > " + label + (expected == null ? "" : " (" + expected + ")") + " ...");
        long start = System.nanoTime();
        CountDownLatch done = new CountDownLatch(1);
        Thread ticker = !tick
                ? null
                : Thread.ofPlatform().daemon().name("demo-ticker").start(() -> {
                    try {
                        while (!done.await(TICK.toMillis(), TimeUnit.MILLISECONDS)) {
                            out.printf(
                                    Locale.ROOT,
                                    "    ... %s: %.0f s so far%n",
                                    label,
                                    (System.nanoTime() - start) / 1e9);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
        T value;
        try (var _ = Timelines.open(label)) {
            value = body.call();
        } finally {
            done.countDown();
            if (ticker != null) {
                ticker.join();
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        out.println("    done in " + DemoReport.seconds(took));
        return new Timed<>(value, took);
    }

    /** A step's value and how long it took. */
    record Timed<T>(T value, Duration time) {}
}
