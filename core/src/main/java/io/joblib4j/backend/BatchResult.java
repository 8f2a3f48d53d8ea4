package io.joblib4j.backend;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What became of a {@link Batch}: the values of its tasks in order, up to the first failure if there was one.
 * Made with {@link #success} or {@link #failure}; immutable apart from the values themselves.
 */
public final class BatchResult {
    private final Batch batch;
    private final List<@Nullable Object> values;
    private final @Nullable Throwable failure;
    private final @Nullable String worker;
    private final long nanos;

    private BatchResult(
            Batch batch,
            List<@Nullable Object> values,
            @Nullable Throwable failure,
            @Nullable String worker,
            long nanos) {
        this.batch = Objects.requireNonNull(batch, "batch");
        this.values = Objects.requireNonNull(values, "values");
        this.failure = failure;
        this.worker = worker;
        this.nanos = nanos;
        if (failure == null && values.size() != batch.size()) {
            throw new IllegalArgumentException("a successful batch of " + batch.size() + " tasks needs " + batch.size()
                    + " values, got " + values.size());
        }
    }

    /**
     * The result of a batch whose tasks all succeeded.
     *
     * @param values the value of each task, in order ({@code batch.size()} of them; the result keeps this list)
     * @param worker the worker that ran the batch (a thread, process or member name), for reports
     * @param nanos  how long the worker spent running the batch, for adaptive batching
     * @throws IllegalArgumentException if there is not one value per task
     */
    public static BatchResult success(Batch batch, List<@Nullable Object> values, @Nullable String worker, long nanos) {
        return new BatchResult(batch, values, null, worker, nanos);
    }

    /**
     * The result of a batch whose task {@code values.size()} failed.
     *
     * @param values  the values of the tasks before the failed one, in order (the result keeps this list)
     * @param failure the exception of the failed task
     * @param worker  the worker that ran the batch, for reports, or null when it never reached one
     * @param nanos   how long the worker spent running the batch
     */
    public static BatchResult failure(
            Batch batch, List<@Nullable Object> values, Throwable failure, @Nullable String worker, long nanos) {
        return new BatchResult(batch, values, Objects.requireNonNull(failure, "failure"), worker, nanos);
    }

    /** The batch. */
    public Batch batch() {
        return batch;
    }

    /** The values of tasks {@code 0 .. values().size()-1} of the batch. */
    public List<@Nullable Object> values() {
        return values;
    }

    /** The exception of task {@code values().size()}, or null if all tasks succeeded. */
    public @Nullable Throwable failure() {
        return failure;
    }

    /**
     * The worker that ran the batch (a thread, process or member name), for error reports, or null when the batch
     * failed before reaching a worker.
     */
    public @Nullable String worker() {
        return worker;
    }

    /** How long the worker spent running the batch, in nanoseconds. */
    public long nanos() {
        return nanos;
    }

    /** True if every task succeeded. */
    public boolean succeeded() {
        return failure == null;
    }

    /** The input index of the failed task, or -1. */
    public long failedIndex() {
        return failure == null ? -1 : batch.firstIndex() + values.size();
    }

    @Override
    public String toString() {
        return "BatchResult[" + batch + (failure == null ? ", ok" : ", failed at " + failedIndex() + ": " + failure)
                + ", worker " + worker + ", " + nanos + " ns]";
    }
}
