package io.joblib4j.internal;

/** joblib's {@code n_jobs} rules. */
public final class NJobs {
    private NJobs() {}

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
    public static int resolve(Integer requested, Integer fromConfig, int cpuCount) {
        int n = requested != null ? requested : fromConfig != null ? fromConfig : 1;
        check(n);
        return n > 0 ? n : Math.max(cpuCount + 1 + n, 1);
    }
}
