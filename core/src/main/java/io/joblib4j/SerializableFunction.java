package io.joblib4j;

import java.io.Serializable;
import java.util.function.Function;

/** A {@link Function} that is {@link Serializable}, so that it can be sent to worker JVMs and identified by caches. */
@FunctionalInterface
public interface SerializableFunction<T, R> extends Function<T, R>, SerializableFunction1<T, R>, Serializable {
    @Override
    R apply(T t);
}
