package io.joblib4j.multiprocessing;

import java.io.Serial;

/**
 * A shared object (a {@link ProcessQueue}, {@link Pipe} end, {@link ProcessLock}, {@link ProcessSemaphore},
 * {@link ProcessEvent} or {@link SharedMap}) can no longer be used: the process that created it, which hosts it, has
 * exited, or closed it. Calls blocked on the object when that happens fail with it at once.
 */
public class SharedObjectGoneException extends IllegalStateException {
    @Serial
    private static final long serialVersionUID = 1L;

    public SharedObjectGoneException(String message) {
        super(message);
    }

    public SharedObjectGoneException(String message, Throwable cause) {
        super(message, cause);
    }
}
