package io.joblib4j.internal;

import java.util.concurrent.Callable;

/**
 * Runs a recursive walk (serializing, deserializing or hashing a deeply nested value) again on a thread of its
 * own with a large stack, after it overflowed the caller's stack. The caller's thread waits; the walk's result
 * or exception is handed back to it unchanged.
 */
public final class LargeStack {
    /** Stack size of the helper thread: enough for the deepest nesting the walks accept. */
    public static final long STACK_BYTES = 512L << 20;

    private LargeStack() {}

    /** Runs {@code work} on a new thread with a {@link #STACK_BYTES} stack and returns what it returns. */
    public static <T> T call(String name, Callable<T> work) throws Exception {
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(
                null,
                () -> {
                    try {
                        result[0] = work.call();
                    } catch (Throwable e) {
                        failure[0] = e;
                    }
                },
                name,
                STACK_BYTES);
        t.setDaemon(true);
        t.start();
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure[0] instanceof Exception e) {
            throw e;
        }
        if (failure[0] instanceof Error e) {
            throw e;
        }
        @SuppressWarnings("unchecked")
        T r = (T) result[0];
        return r;
    }
}
