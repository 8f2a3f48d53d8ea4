package io.joblib4j.internal.process;

import java.io.Serial;

/**
 * Stands for an exception thrown in a worker that could not itself be serialized back to the parent: it keeps the
 * original class name, message and stack trace.
 */
public final class RemoteFailure extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String originalClass;

    public RemoteFailure(Throwable original, String why) {
        super(original.getClass().getName() + ": " + original.getMessage() + " (" + why + ")");
        this.originalClass = original.getClass().getName();
        setStackTrace(original.getStackTrace());
    }

    /** The name of the exception's class in the worker. */
    public String originalClass() {
        return originalClass;
    }
}
