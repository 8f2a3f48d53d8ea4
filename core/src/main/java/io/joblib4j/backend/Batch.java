package io.joblib4j.backend;

import io.joblib4j.Joblib;
import io.joblib4j.SerializableFunction1;
import io.joblib4j.Task;
import io.joblib4j.internal.BatchAccess;
import io.joblib4j.internal.ConfigFrame;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Consecutive tasks of one {@code Parallel} call, sent to one worker together. Serializable, so that process and
 * cluster backends can ship it whole; the tasks run with the configuration of the call that made them (its
 * {@code ParallelConfig}, with the backend's {@link Backend.Nested nested} defaults on top).
 */
public final class Batch implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final long firstIndex;
    /** The tasks, or the arguments of {@link #function} when the batch maps a function. */
    private final Object[] items;

    private final SerializableFunction1<Object, ?> function;
    private final ConfigFrame context;
    /** 1 for the first run of these tasks, 2 for the first re-run after their worker was lost, and so on. */
    private final int attempt;

    /** The attempt of the batch running in this thread; 1 outside any batch. */
    private static final ThreadLocal<int[]> CURRENT_ATTEMPT = ThreadLocal.withInitial(() -> new int[] {1});

    static {
        // Batches are made by Parallel and the built-in backends through io.joblib4j.internal.BatchAccess; the
        // configuration they carry is not part of the API.
        BatchAccess.install(new BatchAccess.Factory() {
            @Override
            public Batch ofTasks(long firstIndex, Task<?>[] tasks, ConfigFrame context) {
                return new Batch(firstIndex, tasks, context);
            }

            @Override
            public Batch ofCalls(
                    long firstIndex, SerializableFunction1<?, ?> function, Object[] arguments, ConfigFrame context) {
                return new Batch(firstIndex, function, arguments, context);
            }

            @Override
            public ConfigFrame context(Batch batch) {
                return batch.context;
            }
        });
    }

    /**
     * @param firstIndex the input index of the first task
     * @param tasks      the tasks, in input order (the batch keeps this array: do not change it afterwards)
     * @param context    the configuration the tasks run with
     */
    private Batch(long firstIndex, Task<?>[] tasks, ConfigFrame context) {
        this(firstIndex, null, tasks, context);
        for (int i = 0; i < tasks.length; i++) {
            Objects.requireNonNull(tasks[i], "task " + (firstIndex + i) + " is null");
        }
    }

    /**
     * A batch of calls of one function: task {@code i} is {@code function.apply(arguments[i])}. Cheaper than a
     * batch of {@link io.joblib4j.Delayed} tasks when mapping a function over many small inputs.
     *
     * @param firstIndex the input index of the first call
     * @param function   the function
     * @param arguments  one argument per call (the batch keeps this array: do not change it afterwards)
     * @param context    the configuration the calls run with
     */
    private Batch(long firstIndex, SerializableFunction1<?, ?> function, Object[] arguments, ConfigFrame context) {
        this(firstIndex, function, arguments, context, 1);
    }

    @SuppressWarnings("unchecked")
    private Batch(
            long firstIndex,
            SerializableFunction1<?, ?> function,
            Object[] arguments,
            ConfigFrame context,
            int attempt) {
        if (arguments.length == 0) {
            throw new IllegalArgumentException("a batch needs at least one task");
        }
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be at least 1, got " + attempt);
        }
        this.firstIndex = firstIndex;
        this.function = (SerializableFunction1<Object, ?>) function;
        this.items = arguments;
        this.context = Objects.requireNonNull(context, "context");
        this.attempt = attempt;
    }

    /** The input index of the first task. */
    public long firstIndex() {
        return firstIndex;
    }

    /**
     * Which run of these tasks this is: 1 for the first, 2 for the first re-run after the worker running them was
     * lost (a crashed process, a cluster member that left), and so on. Tasks read it with
     * {@link Joblib#currentAttempt()}.
     */
    public int attempt() {
        return attempt;
    }

    /** This batch with another attempt number (a backend that re-runs a lost batch on its own counts up). */
    public Batch withAttempt(int attempt) {
        return new Batch(firstIndex, function, items, context, attempt);
    }

    /** The attempt number of the batch running in the current thread, or 1 outside any batch. */
    public static int currentAttempt() {
        return CURRENT_ATTEMPT.get()[0];
    }

    /** The number of tasks. */
    public int size() {
        return items.length;
    }

    /** Task {@code i} of the batch (input index {@code firstIndex() + i}). */
    public Task<?> task(int i) {
        return function == null ? (Task<?>) items[i] : Joblib.delayed(function, items[i]);
    }

    /** The tasks, in order. */
    public List<Task<?>> tasks() {
        List<Task<?>> out = new ArrayList<>(items.length);
        for (int i = 0; i < items.length; i++) {
            out.add(task(i));
        }
        return out;
    }

    /** A batch of tasks {@code from} (inclusive) to {@code to} (exclusive) of this one, with the same context. */
    public Batch slice(int from, int to) {
        return new Batch(firstIndex + from, function, Arrays.copyOfRange(items, from, to), context, attempt);
    }

    private Object callAt(int i) throws Exception {
        return function == null ? ((Task<?>) items[i]).call() : function.apply(items[i]);
    }

    /** Runs task {@code i} in the current thread with the call's configuration installed, and returns its value. */
    public Object call(int i) throws Exception {
        int[] current = CURRENT_ATTEMPT.get();
        int previous = current[0];
        current[0] = attempt;
        try {
            return ConfigFrame.callWith(context, () -> callAt(i));
        } finally {
            current[0] = previous;
        }
    }

    /**
     * Runs the tasks in order in the current thread, stopping at the first failure, and returns the outcome.
     * An interrupt between tasks stops the batch with an {@link InterruptedException} as its failure.
     *
     * @param worker the name of the worker, for reports
     */
    public BatchResult runAll(String worker) {
        return runAll(worker, null);
    }

    /**
     * As {@link #runAll(String)}, telling {@code watch} when each task starts and ends (for per-task timeouts).
     *
     * @param watch told of each task's start and end, or null
     */
    public BatchResult runAll(String worker, TaskWatch watch) {
        long start = System.nanoTime();
        List<Object> values = new ArrayList<>(items.length);
        ConfigFrame previous = ConfigFrame.install(context);
        int[] current = CURRENT_ATTEMPT.get();
        int previousAttempt = current[0];
        current[0] = attempt;
        try {
            for (int i = 0; i < items.length; i++) {
                if (i > 0 && Thread.currentThread().isInterrupted()) {
                    return BatchResult.failure(
                            this, values, new InterruptedException("batch aborted"), worker, System.nanoTime() - start);
                }
                try {
                    if (watch != null) {
                        watch.started(i, values);
                    }
                    Object value;
                    try {
                        value = callAt(i);
                    } finally {
                        if (watch != null) {
                            watch.finished(i);
                        }
                    }
                    values.add(value);
                } catch (Throwable t) {
                    return BatchResult.failure(this, values, t, worker, System.nanoTime() - start);
                }
            }
            return BatchResult.success(this, values, worker, System.nanoTime() - start);
        } finally {
            current[0] = previousAttempt;
            ConfigFrame.install(previous);
        }
    }

    /** Told by {@link #runAll(String, TaskWatch)} when each task starts and ends, in the worker's thread. */
    public interface TaskWatch {
        /**
         * Task {@code indexInBatch} starts; {@code valuesSoFar} holds the values of the tasks before it and is not
         * changed again until {@link #finished} returns.
         */
        void started(int indexInBatch, List<Object> valuesSoFar);

        void finished(int indexInBatch);
    }

    @Override
    public String toString() {
        return "Batch[" + firstIndex + ".." + (firstIndex + items.length - 1) + "]";
    }
}
