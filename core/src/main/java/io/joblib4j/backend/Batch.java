package io.joblib4j.backend;

import io.joblib4j.SerializableFunction1;
import io.joblib4j.Task;
import java.io.Serializable;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Consecutive tasks of one {@code Parallel} call, sent to one worker together: what a {@link Backend} runs.
 *
 * <p>A backend needs only what this interface offers: how many tasks there are and where they start in the input
 * ({@link #firstIndex()}, {@link #size()}), a description for reports ({@link Object#toString() toString()}), a way to run them
 * ({@link #runAll(String)}, or {@link #call(int)} task by task) with the configuration of the call that made them
 * restored around them (an opaque {@link BatchContext}), and a form fit to be sent to another JVM
 * ({@link #portable()}: batches are {@link Serializable}; a backend serializes them with whatever it uses for tasks).
 *
 * <p>{@code Parallel} makes the batches of its calls; a backend or a test can make its own with {@link #of}.
 * Batches are immutable, apart from the tasks themselves.
 */
public interface Batch extends Serializable {

    /**
     * A batch of tasks, run with {@code context} restored around them.
     *
     * @param firstIndex the input index of the first task, at least 0
     * @param tasks      the tasks, in input order, at least one (the batch keeps this array: do not change it
     *                   afterwards)
     * @param context    the configuration the tasks run with ({@link BatchContext#none()} for none)
     * @throws IllegalArgumentException if there is no task or {@code firstIndex} is negative
     * @throws NullPointerException     naming the index of a null task
     */
    static Batch ofTasks(long firstIndex, Task<?>[] tasks, BatchContext context) {
        return TaskBatch.ofTasks(firstIndex, tasks, context);
    }

    /**
     * A batch of calls of one function: task {@code i} is {@code function.apply(arguments[i])}. Cheaper than a
     * batch of {@link io.joblib4j.Delayed} tasks when mapping a function over many small inputs.
     *
     * @param firstIndex the input index of the first call, at least 0
     * @param function   the function
     * @param arguments  one argument per call, at least one (the batch keeps this array: do not change it
     *                   afterwards)
     * @param context    the configuration the calls run with ({@link BatchContext#none()} for none)
     * @throws IllegalArgumentException if there is no argument or {@code firstIndex} is negative
     */
    static Batch ofCalls(
            long firstIndex, SerializableFunction1<?, ?> function, @Nullable Object[] arguments, BatchContext context) {
        return TaskBatch.ofCalls(firstIndex, function, arguments, context);
    }

    /** A batch of {@code tasks} starting at input index {@code firstIndex}, with no context: for tests and tools. */
    static Batch of(long firstIndex, List<? extends Task<?>> tasks) {
        return ofTasks(firstIndex, tasks.toArray(new Task<?>[0]), BatchContext.none());
    }

    /** The input index of the first task. */
    long firstIndex();

    /** The number of tasks, at least 1. */
    int size();

    /** Task {@code i} of the batch (input index {@code firstIndex() + i}). */
    Task<?> task(int i);

    /** The tasks, in order. */
    List<Task<?>> tasks();

    /** A batch of tasks {@code from} (inclusive) to {@code to} (exclusive) of this one, with the same context. */
    Batch slice(int from, int to);

    /** This batch, fit to be sent to another JVM (its context made {@link BatchContext#portable() portable}). */
    Batch portable();

    /**
     * Runs task {@code i} in the current thread with the batch's context in force, and returns its value.
     *
     * @throws Exception whatever the task throws
     */
    @Nullable
    Object call(int i) throws Exception;

    /**
     * Runs the tasks in order in the current thread with the batch's context in force, stopping at the first
     * failure, and returns the outcome. An interrupt between tasks stops the batch with an
     * {@link InterruptedException} as its failure.
     *
     * @param worker the name of the worker, for reports
     */
    default BatchResult runAll(String worker) {
        return runAll(worker, null);
    }

    /**
     * As {@link #runAll(String)}, telling {@code watch} when each task starts and ends (for per-task timeouts).
     *
     * @param watch told of each task's start and end, or null
     */
    BatchResult runAll(String worker, @Nullable TaskWatch watch);

    /** Told by {@link #runAll(String, TaskWatch)} when each task starts and ends, in the worker's thread. */
    interface TaskWatch {
        /**
         * Task {@code indexInBatch} starts; {@code valuesSoFar} holds the values of the tasks before it and is not
         * changed again until {@link #finished} returns.
         */
        void started(int indexInBatch, List<@Nullable Object> valuesSoFar);

        /** Task {@code indexInBatch} has returned or thrown. */
        void finished(int indexInBatch);
    }
}
