package io.joblib4j;

import java.io.Serializable;
import org.jspecify.annotations.Nullable;

/**
 * A function of three arguments that may throw any exception (as a {@link java.util.concurrent.Callable} may) and is
 * {@link Serializable}, so that it can be sent to worker JVMs and identified by caches: what
 * {@link Joblib#delayed} takes.
 */
@FunctionalInterface
public interface SerializableFunction3<
                A extends @Nullable Object, B extends @Nullable Object, C extends @Nullable Object, R>
        extends Serializable {
    /**
     * The result of the call. An exception it throws fails the task: unchecked ones reach the caller of
     * {@code Parallel} as they are, checked ones wrapped in {@link io.joblib4j.parallel.TaskFailedException}.
     */
    R apply(A a, B b, C c) throws Exception;
}
