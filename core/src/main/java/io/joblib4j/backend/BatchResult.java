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
 * @param bytesSent     how many bytes the backend sent to run the batch (serialized tasks), or -1 if unknown or
 *                      none were sent (in-process backends); shown in timeline reports and JFR events
 * @param bytesReceived how many bytes of results and failures came back, or -1 if unknown
 */
public record BatchResult(
        Batch batch,
        List<Object> values,
        Throwable failure,
        String worker,
        long nanos,
        long bytesSent,
        long bytesReceived) {
    public BatchResult {
        Objects.requireNonNull(batch, "batch");
        Objects.requireNonNull(values, "values");
        if (failure == null && values.size() != batch.size()) {
            throw new IllegalArgumentException("a successful batch of " + batch.size() + " tasks needs " + batch.size()
                    + " values, got " + values.size());
        }
    }

    /** A result whose transfer sizes are unknown. */
    public BatchResult(Batch batch, List<Object> values, Throwable failure, String worker, long nanos) {
        this(batch, values, failure, worker, nanos, -1, -1);
    }

    /** This result with the bytes the backend moved to run the batch and to bring its results back (-1: unknown). */
    public BatchResult withBytes(long sent, long received) {
        return new BatchResult(batch, values, failure, worker, nanos, sent, received);
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
