package io.joblib4j;

import java.io.Serializable;
import org.jspecify.annotations.Nullable;

/**
 * A function of one argument that may throw any exception (as a {@link java.util.concurrent.Callable} may) and is
 * {@link Serializable}, so that it can be sent to worker JVMs and identified by caches: what
 * {@link Joblib#delayed} and {@link io.joblib4j.parallel.Parallel#map} take.
 *
 * <p>A {@link SerializableFunction} is one, so a {@code SerializableFunction} is accepted wherever a
 * {@code SerializableFunction1} is; a lambda or method reference given for one may call {@code Thread.sleep} or do
 * I/O without a {@code try}/{@code catch}.
 */
@FunctionalInterface
public interface SerializableFunction1<T extends @Nullable Object, R> extends Serializable {
    /**
     * The result of the call. An exception it throws fails the task: unchecked ones reach the caller of
     * {@code Parallel} as they are, checked ones wrapped in {@link io.joblib4j.parallel.TaskFailedException}.
     */
    R apply(T t) throws Exception;
}
