package io.joblib4j.internal;

/**
 * The attempt number of the batch running in the current thread (1 for a first run, 2 for the first re-run after
 * its worker was lost, ...): set by the batch around its tasks, read by {@code Joblib.currentAttempt()}, which sits
 * below the backend SPI.
 */
public final class Attempts {
    private static final ThreadLocal<int[]> CURRENT = new ThreadLocal<>() { // no lambda to link on a first call
                @Override
                protected int[] initialValue() {
                    return new int[] {1};
                }
            };

    private Attempts() {}

    /** The attempt of the batch running in this thread; 1 outside any batch. */
    public static int current() {
        return CURRENT.get()[0];
    }

    /** Makes {@code attempt} the current one; returns the one it replaces (to restore afterwards). */
    public static int set(int attempt) {
        int[] slot = CURRENT.get();
        int previous = slot[0];
        slot[0] = attempt;
        return previous;
    }
}
