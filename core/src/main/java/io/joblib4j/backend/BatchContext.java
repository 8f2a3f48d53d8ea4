package io.joblib4j.backend;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * What a {@link Batch} carries besides its tasks: the configuration its tasks run with, to be restored around them
 * on whatever worker runs them (for {@code Parallel}, the caller's {@code ParallelConfig} with the backend's
 * {@link Backend.Nested nested} defaults on top). Opaque to backends: they only pass it on, which
 * {@link Batch#call(int)} and {@link Batch#runAll(String)} do for them.
 *
 * <p>Implementations are immutable and serializable, so that a batch can be sent to another JVM.
 */
public interface BatchContext extends Serializable {

    /** The context that restores nothing: tasks run with their worker's own configuration. */
    static BatchContext none() {
        return NoContext.INSTANCE;
    }

    /**
     * Runs {@code body} in the current thread with this context in force, restoring the thread's previous context
     * afterwards (also when {@code body} throws).
     */
    <T> T callWith(Callable<T> body) throws Exception;

    /**
     * This context, fit to be sent to another JVM: parts that cannot travel (such as a backend instance that is not
     * serializable) are dropped. The default returns this context.
     */
    default BatchContext portable() {
        return this;
    }

    /** {@link BatchContext#none()}. */
    enum NoContext implements BatchContext {
        INSTANCE;

        @Override
        public <T> T callWith(Callable<T> body) throws Exception {
            return body.call();
        }
    }
}
