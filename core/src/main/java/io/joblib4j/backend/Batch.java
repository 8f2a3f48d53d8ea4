package io.joblib4j.backend;

import io.joblib4j.Task;
import io.joblib4j.internal.ConfigFrame;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
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
    private final List<? extends Task<?>> tasks;
    private final ConfigFrame context;

    /**
     * @param firstIndex the input index of the first task
     * @param tasks      the tasks, in input order
     * @param context    the configuration the tasks run with
     */
    public Batch(long firstIndex, List<? extends Task<?>> tasks, ConfigFrame context) {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one task");
        }
        this.firstIndex = firstIndex;
        this.tasks = List.copyOf(tasks);
        this.context = Objects.requireNonNull(context, "context");
    }

    /** The input index of the first task. */
    public long firstIndex() {
        return firstIndex;
    }

    /** The number of tasks. */
    public int size() {
        return tasks.size();
    }

    /** Task {@code i} of the batch (input index {@code firstIndex() + i}). */
    public Task<?> task(int i) {
        return tasks.get(i);
    }

    /** The tasks, in order. */
    public List<? extends Task<?>> tasks() {
        return tasks;
    }

    /** The configuration the tasks run with. */
    public ConfigFrame context() {
        return context;
    }

    /** Runs task {@code i} in the current thread with the call's configuration installed, and returns its value. */
    public Object call(int i) throws Exception {
        Task<?> task = tasks.get(i);
        return ConfigFrame.callWith(context, task::call);
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
        List<Object> values = new ArrayList<>(tasks.size());
        ConfigFrame previous = ConfigFrame.install(context);
        try {
            for (int i = 0; i < tasks.size(); i++) {
                if (i > 0 && Thread.currentThread().isInterrupted()) {
                    return BatchResult.failure(this, values, new InterruptedException("batch aborted"), worker,
                            System.nanoTime() - start);
                }
                try {
                    if (watch != null) {
                        watch.started(i, values);
                    }
                    Object value;
                    try {
                        value = tasks.get(i).call();
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
        return "Batch[" + firstIndex + ".." + (firstIndex + tasks.size() - 1) + "]";
    }
}
