package io.joblib4j.backend;

import java.time.Duration;

/**
 * Failures that a backend reports in a {@link BatchResult} for reasons outside the task's own code. {@code Parallel}
 * turns them into {@link io.joblib4j.parallel.TaskTimeoutException} and
 * {@link io.joblib4j.parallel.WorkerCrashedException} with the task's index, call, backend and worker.
 */
public final class Failures {
    private Failures() {}

    /** The task ran longer than the {@link WorkerSpec#timeout() timeout}. */
    public static final class Timeout extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final Duration timeout;

        public Timeout(Duration timeout) {
            super("timed out after " + timeout, null, false, false);
            this.timeout = timeout;
        }

        public Duration timeout() {
            return timeout;
        }
    }

    /**
     * The worker running the task died, or a cluster member left. {@code Parallel} re-runs such batches up to
     * {@code retries} times before failing the call.
     */
    public static final class WorkerLost extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String exitStatus;

        /** @param exitStatus how the worker ended, such as {@code EXIT(1)}, {@code SIGKILL(-9)} or {@code member left} */
        public WorkerLost(String exitStatus) {
            super("worker lost: " + exitStatus, null, false, false);
            this.exitStatus = exitStatus;
        }

        public String exitStatus() {
            return exitStatus;
        }
    }
}
