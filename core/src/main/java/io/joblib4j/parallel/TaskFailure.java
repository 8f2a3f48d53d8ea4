package io.joblib4j.parallel;

import org.jspecify.annotations.Nullable;

/**
 * Where a task failed: attached as a suppressed exception to the exception that {@link Parallel} rethrows, and
 * carried by {@link TaskFailedException}, {@link TaskTimeoutException} and {@link WorkerCrashedException}.
 * Its message reads {@code task 3: f(3) on backend threads, worker joblib4j-threads-2}.
 */
public final class TaskFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long taskIndex;
    private final String call;
    private final String backend;
    private final @Nullable String worker;

    public TaskFailure(long taskIndex, String call, String backend, @Nullable String worker) {
        super(describe(taskIndex, call, backend, worker), null, false, false);
        this.taskIndex = taskIndex;
        this.call = call;
        this.backend = backend;
        this.worker = worker;
    }

    static String describe(long taskIndex, String call, String backend, @Nullable String worker) {
        return "task " + taskIndex + ": " + call + " on backend " + backend
                + (worker == null ? "" : ", worker " + worker);
    }

    /** The index of the failed task in the input, from 0. */
    public long taskIndex() {
        return taskIndex;
    }

    /** The call, such as {@code f(3)}. */
    public String call() {
        return call;
    }

    /** The backend's name. */
    public String backend() {
        return backend;
    }

    /** The worker that ran the task (a thread or process name), or null if it never started. */
    public @Nullable String worker() {
        return worker;
    }
}
