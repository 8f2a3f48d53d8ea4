package io.joblib4j.backend;

import java.util.List;
import java.util.Objects;

/**
 * What became of a {@link Batch}: the values of its tasks in order, up to the first failure if there was one.
 *
 * @param batch    the batch
 * @param values   the values of tasks {@code 0 .. values.size()-1} of the batch
 * @param failure  the exception of task {@code values.size()}, or null if all tasks succeeded
 * @param worker   the worker that ran the batch (a thread or process name), for error reports
 * @param nanos    how long the worker spent running the batch, for adaptive batching
 */
public record BatchResult(Batch batch, List<Object> values, Throwable failure, String worker, long nanos) {
    public BatchResult {
        Objects.requireNonNull(batch, "batch");
        Objects.requireNonNull(values, "values");
        if (failure == null && values.size() != batch.size()) {
            throw new IllegalArgumentException("a successful batch of " + batch.size() + " tasks needs " + batch.size()
                    + " values, got " + values.size());
        }
    }

    /** The result of a batch whose tasks all succeeded. */
    public static BatchResult success(Batch batch, List<Object> values, String worker, long nanos) {
        return new BatchResult(batch, values, null, worker, nanos);
    }

    /** The result of a batch whose task {@code values.size()} failed. */
    public static BatchResult failure(Batch batch, List<Object> values, Throwable failure, String worker, long nanos) {
        return new BatchResult(batch, values, Objects.requireNonNull(failure, "failure"), worker, nanos);
    }

    /** True if every task succeeded. */
    public boolean succeeded() {
        return failure == null;
    }

    /** The input index of the failed task, or -1. */
    public long failedIndex() {
        return failure == null ? -1 : batch.firstIndex() + values.size();
    }
}
