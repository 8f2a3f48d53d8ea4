package io.joblib4j.parallel;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.jspecify.annotations.Nullable;

/** The terminal progress bar of {@code progressBar(true)}: count, rate and ETA on stderr, only on a terminal. */
final class TerminalProgress implements AutoCloseable {
    private final ProgressBar bar;

    private TerminalProgress(ProgressBar bar) {
        this.bar = bar;
    }

    /** A bar on stderr, or null when stderr is not a terminal (piped, redirected, CI). */
    static @Nullable TerminalProgress openIfTerminal(@Nullable String taskName) {
        if (!stderrIsTerminal()) {
            return null;
        }
        PrintStream err = System.err;
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(taskName)
                .setInitialMax(-1)
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                .setUpdateIntervalMillis(100)
                .showSpeed()
                .setUnit(" tasks", 1)
                .setSpeedUnit(java.time.temporal.ChronoUnit.SECONDS)
                .setConsumer(new ConsoleProgressBarConsumer(err))
                .setMaxRenderedLength(120)
                .continuousUpdate()
                .build();
        return new TerminalProgress(bar);
    }

    void update(long completed, long total) {
        if (total >= 0 && bar.getMax() != total) {
            bar.maxHint(total);
        }
        bar.stepTo(completed);
    }

    @Override
    public void close() {
        bar.close();
    }

    /** True if file descriptor 2 is a terminal (Linux: {@code /proc/self/fd/2} points to a tty). */
    // System.console() is still documented to return null when there is no console (e.g. -Djdk.console=java.base).
    @SuppressWarnings("SystemConsoleNull")
    static boolean stderrIsTerminal() {
        if (Boolean.getBoolean("joblib4j.progressBar.force")) {
            return true;
        }
        try {
            Path target = Files.readSymbolicLink(Path.of("/proc/self/fd/2"));
            String t = target.toString();
            return t.startsWith("/dev/pts/") || t.startsWith("/dev/tty");
        } catch (Exception e) {
            var console = System.console();
            return console != null && console.isTerminal() && System.getenv("TERM") != null;
        }
    }

    static Duration elapsed(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
