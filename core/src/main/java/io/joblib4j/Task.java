package io.joblib4j;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * One unit of work for {@link io.joblib4j.parallel.Parallel}: a serializable {@link Callable}.
 *
 * <p>Any serializable lambda is a {@code Task} ({@code Task<Double> t = () -> Math.sqrt(2)}). Tasks built by
 * {@link Joblib#delayed(SerializableFunction1, Object)} also keep their function and arguments inspectable, so
 * progress messages, error reports and cache keys can name the call ({@code sqrt(4)}).
 *
 * @param <R> the result type
 */
@FunctionalInterface
public interface Task<R> extends Callable<R>, Serializable {

    /**
     * A short human-readable form of the call, such as {@code sqrt(4)}; used in error reports and messages.
     * The default is the class name of the task.
     */
    default String describe() {
        return io.joblib4j.internal.Describe.callable(this);
    }
}
