package io.joblib4j.parallel;

import java.util.Objects;

/**
 * Told of every {@link Parallel} call made in this JVM, batch by batch: the hook that metrics libraries bind to
 * (such as {@code joblib4j-micrometer}'s {@code JoblibMetrics}). Register one with {@link #register}; while none
 * is registered (and no timeline or JFR recording asks), calls record nothing.
 *
 * <p>All methods are called in the thread that drives the call (its caller, or the consumer of its stream), after
 * the fact; they must be quick and must not throw (an exception is caught and reported once on stderr). A listener
 * registered while a call runs is told of calls started after that.
 *
 * <pre>{@code
 * try (CallListener.Registration r = CallListener.register(new CallListener() {
 *     public void batchEnded(Call call, BatchRecord batch) { System.out.println(batch); }
 * })) {
 *     Parallel.of(2).map(x -> x * 2, List.of(1, 2, 3));
 * }
 * }</pre>
 */
public interface CallListener {

    /** A call has started. */
    default void callStarted(Call call) {}

    /** A batch of the call has ended (or, when the call ended first, was cancelled). */
    default void batchEnded(Call call, BatchRecord batch) {}

    /** The call has ended: all results delivered, failed, or cancelled. */
    default void callEnded(Call call, CallOutcome outcome) {}

    /**
     * Adds a listener for all calls started from now on in this JVM, until the returned registration is closed.
     *
     * @throws NullPointerException if {@code listener} is null
     */
    static Registration register(CallListener listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        CallRecorder.LISTENERS.add(listener);
        return () -> CallRecorder.LISTENERS.remove(listener);
    }

    /** Removes its listener when closed; closing twice does nothing more. */
    @FunctionalInterface
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** One call of {@code Parallel}, as listeners see it. */
    interface Call {
        /** A number that tells this call from the others in this JVM. */
        long id();

        /** The backend's name, such as {@code "threads"} or {@code "processes"}. */
        String backend();

        /** How many workers the call runs on. */
        int nJobs();

        /** Tasks that have delivered a value or (for {@code outcomes}) a failure so far. */
        long tasksCompleted();
    }

    /** What became of one batch. */
    interface BatchRecord {
        /** The worker that ran it (a thread name, {@code worker-PID}, a cluster member), or null if none did. */
        String worker();

        /** The input index of its first task. */
        long firstIndex();

        /** How many tasks it holds. */
        int tasks();

        /** How many of its tasks delivered a value. */
        int tasksCompleted();

        /** How long its tasks ran on the worker, in nanoseconds (0 if it did not run). */
        long durationNanos();

        /** When it was handed to the backend, in {@link System#nanoTime()}. */
        long submittedNanos();

        /** When its result reached this JVM, in {@link System#nanoTime()} (the call's end, if it never did). */
        long endedNanos();

        /** Bytes sent to run it, or -1 if unknown (in-process backends send none). */
        long bytesSent();

        /** Bytes of its results that came back, or -1 if unknown. */
        long bytesReceived();

        BatchOutcome outcome();
    }

    /** How a batch ended. */
    enum BatchOutcome {
        /** Every task delivered a value. */
        OK,
        /** A task threw. */
        FAILED,
        /** A task ran past the call's timeout. */
        TIMED_OUT,
        /** Its worker died or left and the rest of the batch was run again. */
        RETRIED,
        /** Its worker died or left and no retry was left. */
        LOST,
        /** The call ended (failed or was closed) before the batch did. */
        CANCELLED
    }

    /** How a call ended. */
    enum CallOutcome {
        /** Every result was delivered. */
        OK,
        /** A task or the input failed the call. */
        FAILED,
        /** The stream was closed early or the caller was interrupted. */
        CANCELLED
    }
}
