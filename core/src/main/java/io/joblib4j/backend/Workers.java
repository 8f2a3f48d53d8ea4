package io.joblib4j.backend;

/**
 * A backend's workers, held by one {@code Parallel} call (or by a {@code Parallel} across the calls of a
 * try-with-resources block).
 *
 * <p>{@link #submit} is called from the thread running the {@code Parallel} call; callbacks come from the
 * backend's threads. After {@link #abort()} the workers are usable for new batches.
 */
public interface Workers extends AutoCloseable {

    /** The number of batches this set of workers runs at once. */
    int size();

    /**
     * Runs the batch's tasks, in order, on one worker, and reports the outcome once to {@code listener}: all values,
     * or the values before the first failure and that failure. Must not block for long: queue the batch if all
     * workers are busy.
     */
    void submit(Batch batch, BatchListener listener);

    /**
     * Drops queued batches and stops running ones promptly (interrupting threads, killing processes). Listeners of
     * aborted batches may or may not be called. Does not wait for tasks that ignore interruption.
     */
    void abort();

    /**
     * The call that used these workers has ended: all its results are in, or it was aborted. The workers may serve
     * the next call of the same {@code Parallel}; a backend frees what belonged to the finished call here (the
     * process backend removes the files of the arrays it shared). Called in the thread that ran the call. The
     * default does nothing.
     */
    default void callEnded() {}

    /** Releases the workers; waits for nothing still running. Idempotent. */
    @Override
    void close();
}
