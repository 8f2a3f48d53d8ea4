package io.joblib4j.parallel;

import io.joblib4j.backend.Failures;
import io.joblib4j.internal.Suppressed;
import java.lang.reflect.Constructor;
import org.jspecify.annotations.Nullable;

/** Turns a task's failure into the exception the caller of {@link Parallel} sees. */
final class Errors {
    private Errors() {}

    /**
     * The exception for a failed task: a timeout or lost worker becomes {@link TaskTimeoutException} or
     * {@link WorkerCrashedException}; an unchecked exception keeps its type (a new instance whose cause is the
     * task's, when one can be made, as {@code ForkJoinTask} does, so the caller's stack shows too); a checked one is
     * wrapped in {@link TaskFailedException}. Each carries a suppressed {@link TaskFailure} naming the task (an
     * exception shared by many tasks, a few and a count of the others: {@link Suppressed}).
     */
    static RuntimeException map(Throwable cause, long index, String call, String backend, @Nullable String worker) {
        TaskFailure where = new TaskFailure(index, call, backend, worker);
        RuntimeException result;
        if (cause instanceof Failures.Timeout t) {
            result = new TaskTimeoutException(where, t.timeout());
        } else if (cause instanceof Failures.WorkerLost lost) {
            result = new WorkerCrashedException(where, lost.exitStatus());
        } else if (cause instanceof TaskFailedException already) {
            result = already;
        } else if (cause instanceof RuntimeException re) {
            result = sameType(re);
        } else if (cause instanceof Error e) {
            // Errors travel as they are: the caller sees the OutOfMemoryError or StackOverflowError itself.
            Suppressed.addCapped(e, where);
            throw e;
        } else {
            result = new TaskFailedException(where, cause);
        }
        Suppressed.addCapped(result, where);
        return result;
    }

    /** A new instance of the same type, with the original as its cause and the same message; else the original. */
    static RuntimeException sameType(RuntimeException original) {
        Class<? extends RuntimeException> type = original.getClass();
        String message = original.getMessage();
        try {
            Constructor<? extends RuntimeException> c = type.getConstructor(String.class, Throwable.class);
            RuntimeException copy = c.newInstance(message, original);
            if (copy.getClass() == type) {
                return copy;
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError ignored) {
            // try the next way
        }
        try {
            Constructor<? extends RuntimeException> c = type.getConstructor(String.class);
            RuntimeException copy = c.newInstance(message);
            copy.initCause(original);
            if (copy.getClass() == type) {
                return copy;
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError ignored) {
            // try the next way
        }
        if (message == null) {
            try {
                Constructor<? extends RuntimeException> c = type.getConstructor();
                RuntimeException copy = c.newInstance();
                copy.initCause(original);
                return copy;
            } catch (ReflectiveOperationException | RuntimeException | LinkageError ignored) {
                // fall through
            }
        }
        return original;
    }
}
