package io.joblib4j.parallel;

import org.jspecify.annotations.Nullable;

/**
 * A task threw a checked exception (its cause), or failed in a way that has no better type. Unchecked, with the
 * task's index, call, backend and worker.
 */
public class TaskFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final TaskFailure failure;

    public TaskFailedException(String message, TaskFailure failure, @Nullable Throwable cause) {
        super(message, cause);
        this.failure = failure;
    }

    public TaskFailedException(TaskFailure failure, Throwable cause) {
        this(failure.getMessage() + ": " + cause, failure, cause);
    }

    /** Where the task failed. */
    public TaskFailure failure() {
        return failure;
    }

    /** The index of the failed task in the input, from 0. */
    public long taskIndex() {
        return failure.taskIndex();
    }
}
