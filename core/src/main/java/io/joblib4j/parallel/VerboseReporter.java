package io.joblib4j.parallel;

import java.io.PrintStream;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * joblib's verbose progress messages, in its exact format and rate limits:
 * <pre>
 * [Parallel(n_jobs=2)]: Using backend ThreadingBackend with 2 concurrent workers.
 * [Parallel(n_jobs=2)]: Done  14 tasks      | elapsed:    1.4s
 * [Parallel(n_jobs=2)]: Done   2 out of   4 | elapsed:    0.9s remaining:    0.9s
 * [Parallel(n_jobs=2)]: Done  40 out of  40 | elapsed:    1.5s finished
 * </pre>
 * Messages go to stderr below level 50, to stdout from 50 on.
 */
final class VerboseReporter {
    private final int verbose;
    private final String prefix;
    private final PrintStream out;

    VerboseReporter(int verbose, String nJobsShown, PrintStream stderr, PrintStream stdout) {
        this.verbose = verbose;
        this.prefix = "[Parallel(n_jobs=" + nJobsShown + ")]: ";
        this.out = verbose >= 50 ? stdout : stderr;
    }

    boolean enabled() {
        return verbose > 0;
    }

    void start(String backendDisplayName, int workers) {
        if (enabled()) {
            print("Using backend " + backendDisplayName + " with " + workers + " concurrent workers.");
        }
    }

    /**
     * After a batch completes.
     *
     * @param completedTasks    tasks done so far
     * @param dispatchedBatches batches dispatched so far
     * @param dispatchedTasks   tasks dispatched so far (the total, once the input is exhausted)
     * @param inputExhausted    whether the whole input has been read
     * @param preDispatchTasks  the pre-dispatch amount, in tasks
     * @param elapsedSeconds    time since the call started
     */
    void progress(
            long completedTasks,
            long dispatchedBatches,
            long dispatchedTasks,
            boolean inputExhausted,
            long preDispatchTasks,
            double elapsedSeconds) {
        String line = progressLine(
                verbose,
                completedTasks,
                dispatchedBatches,
                dispatchedTasks,
                inputExhausted,
                preDispatchTasks,
                elapsedSeconds);
        if (line != null) {
            print(line);
        }
    }

    /** The final message, always printed when verbose. */
    void finished(long completedTasks, double elapsedSeconds) {
        if (enabled()) {
            print(finishedLine(completedTasks, elapsedSeconds));
        }
    }

    private void print(String message) {
        out.print(prefix + message + "\n");
        out.flush();
    }

    static String finishedLine(long completed, double elapsed) {
        return String.format(
                Locale.ROOT,
                "Done %3d out of %3d | elapsed: %s finished",
                completed,
                completed,
                shortFormatTime(elapsed));
    }

    /** The progress message joblib prints at this point, or null when its rate limit says to stay quiet. */
    static @Nullable String progressLine(
            int verbose,
            long completed,
            long dispatchedBatches,
            long dispatchedTasks,
            boolean inputExhausted,
            long preDispatchTasks,
            double elapsed) {
        if (verbose <= 0) {
            return null;
        }
        if (!inputExhausted) {
            if (verbosityFilter(dispatchedBatches, verbose)) {
                return null;
            }
            return String.format(Locale.ROOT, "Done %3d tasks      | elapsed: %s", completed, shortFormatTime(elapsed));
        }
        long index = completed;
        long total = dispatchedTasks;
        if (index != 0) {
            long cursor = total - index + 1 - preDispatchTasks;
            long frequency = total / verbose + 1;
            boolean isLastItem = index + 1 == total;
            if (isLastItem || Math.floorMod(cursor, frequency) != 0) {
                return null;
            }
        }
        double remaining = index == 0 ? 0 : elapsed / index * (total - index);
        int width = Long.toString(total).length();
        return String.format(
                Locale.ROOT,
                "Done %" + width + "d out of %" + width + "d | elapsed: %s remaining: %s",
                index,
                total,
                shortFormatTime(elapsed),
                shortFormatTime(remaining));
    }

    /** joblib's {@code _verbosity_filter}: true means "stay quiet for this index". */
    static boolean verbosityFilter(long index, int verbose) {
        if (verbose <= 0) {
            return true;
        }
        if (verbose > 10) {
            return false;
        }
        if (index == 0) {
            return false;
        }
        double v = 0.5 * (11 - verbose) * (11 - verbose);
        double scale = Math.sqrt(index / v);
        double nextScale = Math.sqrt((index + 1) / v);
        return (long) nextScale == (long) scale;
    }

    /** joblib's {@code short_format_time}: {@code " %5.1fs"}, or {@code "%4.1fmin"} above 60 s. */
    static String shortFormatTime(double seconds) {
        return seconds > 60
                ? String.format(Locale.ROOT, "%4.1fmin", seconds / 60.0)
                : String.format(Locale.ROOT, " %5.1fs", seconds);
    }
}
