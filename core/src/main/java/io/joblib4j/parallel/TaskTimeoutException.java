package io.joblib4j.parallel;

import java.time.Duration;

/**
 * A task ran longer than the {@code timeout} set on {@link Parallel}, measured from the moment it started. On
 * in-process backends its thread is interrupted; on the process backend its worker is killed and replaced.
 */
public class TaskTimeoutException extends TaskFailedException {
    private static final long serialVersionUID = 1L;

    private final Duration timeout;

    public TaskTimeoutException(TaskFailure failure, Duration timeout) {
        super(failure.getMessage() + " timed out after " + Durations.format(timeout), failure, null);
        this.timeout = timeout;
    }

    /** The timeout that the task exceeded. */
    public Duration timeout() {
        return timeout;
    }
}
