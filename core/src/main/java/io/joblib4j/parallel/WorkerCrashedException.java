package io.joblib4j.parallel;

/**
 * The worker process running a task died (exit, halt, signal, out of memory, a crash in native code), or a cluster
 * member left, before the task finished. The message names the exit code or signal and the task.
 */
public class WorkerCrashedException extends TaskFailedException {
    private static final long serialVersionUID = 1L;

    private final String exitStatus;

    /**
     * @param failure    the task that was running
     * @param exitStatus how the worker ended, such as {@code EXIT(1)} or {@code SIGKILL(-9)}
     */
    public WorkerCrashedException(TaskFailure failure, String exitStatus) {
        super("worker crashed with " + exitStatus + " while running " + failure.getMessage(), failure, null);
        this.exitStatus = exitStatus;
    }

    /** How the worker ended, such as {@code EXIT(1)} or {@code SIGKILL(-9)}. */
    public String exitStatus() {
        return exitStatus;
    }
}
