package io.joblib4j.parallel;

/**
 * joblib's adaptive batch size: starts at 1 and keeps an exponentially smoothed duration of batches of the current
 * size (0.8 old + 0.2 new). Below the backend's minimum (joblib: 0.2 s) the size grows (at most doubling); above
 * 2 s it shrinks; any change restarts the smoothing. Not thread-safe: used by the thread running a call.
 */
final class AutoBatcher {
    static final double MIN_IDEAL_SECONDS = 0.2;
    static final double MAX_IDEAL_SECONDS = 2.0;

    private final int fixed;
    private final double minIdealSeconds;
    private int size = 1;
    private double smoothed; // seconds; 0 = no measurement yet
    private double secondsPerTask; // smoothed over batches of every size; 0 = no measurement yet

    /** @param fixed a fixed batch size, or 0 for auto */
    AutoBatcher(int fixed) {
        this(fixed, MIN_IDEAL_SECONDS);
    }

    /**
     * @param fixed           a fixed batch size, or 0 for auto
     * @param minIdealSeconds batches faster than this grow (joblib: 0.2 s)
     */
    AutoBatcher(int fixed, double minIdealSeconds) {
        this.fixed = fixed;
        this.minIdealSeconds = minIdealSeconds;
    }

    /** The batch size to use for the next batches. */
    int size() {
        if (fixed > 0) {
            return fixed;
        }
        int old = size;
        double d = smoothed;
        int next = old;
        if (d > 0 && d < minIdealSeconds) {
            long ideal = 2L * (long) (old * minIdealSeconds / d);
            next = (int) Math.max(Math.min(2L * old, ideal), 1);
        } else if (d > MAX_IDEAL_SECONDS && old >= 2) {
            next = (int) Math.max(2L * (long) (old * minIdealSeconds / d), 1);
        }
        if (next != old) {
            size = next;
            smoothed = 0;
        }
        return size;
    }

    /** Records that a batch of {@code batchSize} tasks took {@code nanos} to run. */
    void completed(int batchSize, long nanos) {
        if (fixed > 0 || batchSize < 1) {
            return;
        }
        double seconds = nanos / 1e9;
        double perTask = seconds / batchSize;
        secondsPerTask = secondsPerTask == 0 ? perTask : 0.8 * secondsPerTask + 0.2 * perTask;
        if (batchSize != size) {
            return;
        }
        smoothed = smoothed == 0 ? seconds : 0.8 * smoothed + 0.2 * seconds;
    }

    /**
     * The batch size for the {@code count} tasks at the end of the input, on {@code workers} workers: joblib's
     * {@code count / (10 * workers)}, so that the workers finish at about the same time, but no batch expected to
     * take less than a tenth of the minimum batch duration (1 ms on in-process backends), by the time per task
     * measured so far, and no larger than an even share per worker. A tail batch shorter than that costs more in
     * hand-offs (a wake-up of the caller per batch) than the better balance saves: with a tenth of the minimum, the
     * workers still finish within that much of each other. Without a measurement yet: joblib's size.
     */
    int tailSize(int count, int workers) {
        int joblib = Math.max(1, count / (10 * workers));
        double perTask = secondsPerTask;
        if (perTask <= 0) {
            return joblib;
        }
        long floor = (long) (minIdealSeconds / 10 / perTask);
        long even = ((long) count + workers - 1) / workers;
        return (int) Math.max(joblib, Math.min(even, floor));
    }

    /** The smoothed duration in seconds (for tests). */
    double smoothedSeconds() {
        return smoothed;
    }
}
