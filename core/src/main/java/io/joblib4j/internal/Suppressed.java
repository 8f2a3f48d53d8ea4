package io.joblib4j.internal;

/**
 * Adds where-it-failed records ({@code TaskFailure}s) to an exception as suppressed exceptions, a few at most: one
 * exception shared by many failed tasks (a worker JVM that cannot start fails every queued task with the same one)
 * carries the first {@value #KEPT} and a count of the others, not hundreds of lines.
 */
public final class Suppressed {
    /** How many records of one kind an exception keeps. */
    public static final int KEPT = 5;

    private Suppressed() {}

    /** Adds {@code where} to {@code target}'s suppressed exceptions, or counts it once {@value #KEPT} of its kind are. */
    public static void addCapped(Throwable target, Throwable where) {
        if (target == where) {
            return;
        }
        synchronized (target) {
            int same = 0;
            for (Throwable s : target.getSuppressed()) {
                if (s instanceof More more && more.kind.equals(where.getClass().getName())) {
                    more.count++;
                    return;
                }
                if (s.getClass() == where.getClass()) {
                    same++;
                }
            }
            target.addSuppressed(same < KEPT ? where : new More(where.getClass().getName()));
        }
    }

    /** Stands for the records left out: prints as {@code and 195 more tasks failed with this exception}. */
    public static final class More extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final String kind;
        private volatile int count = 1;

        More(String kind) {
            super(null, null, false, false);
            this.kind = kind;
        }

        /** How many records were left out. */
        public int count() {
            return count;
        }

        @Override
        public String getMessage() {
            return "and " + count + " more " + (count == 1 ? "task" : "tasks") + " failed with this same exception";
        }

        @Override
        public String toString() {
            return getMessage();
        }
    }
}
