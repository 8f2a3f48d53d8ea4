package io.joblib4j.internal;

import org.jspecify.annotations.Nullable;

/** joblib's {@code n_jobs} rules. */
public final class NJobs {
    /**
     * The {@code nJobs} of the {@code ParallelConfig} in force in this thread, or null: set by the engine whenever
     * the thread's configuration changes, read by {@code Joblib.effectiveNJobs()}, which sits below the engine.
     */
    private static final ThreadLocal<Integer> IN_FORCE = new ThreadLocal<>();

    private NJobs() {}

    /** The {@code nJobs} of the configuration in force in this thread, or null when unset. */
    public static @Nullable Integer inForce() {
        return IN_FORCE.get();
    }

    /** Publishes the {@code nJobs} of the configuration now in force in this thread (null when unset). */
    public static void setInForce(@Nullable Integer nJobs) {
        IN_FORCE.set(nJobs);
    }

    /**
     * Checks a requested worker count: any non-zero integer.
     *
     * @throws IllegalArgumentException for 0
     */
    public static int check(int nJobs) {
        if (nJobs == 0) {
            throw new IllegalArgumentException(
                    "nJobs == 0 has no meaning: use a positive count, -1 for all CPUs or -2 for all but one");
        }
        return nJobs;
    }

    /**
     * The positive worker count for a requested one: unset takes the config's, else 1; a negative {@code n} means
     * {@code max(cpuCount + 1 + n, 1)}.
     */
    public static int resolve(@Nullable Integer requested, @Nullable Integer fromConfig, int cpuCount) {
        int n = requested != null ? requested : fromConfig != null ? fromConfig : 1;
        check(n);
        return n > 0 ? n : Math.max(cpuCount + 1 + n, 1);
    }
}
