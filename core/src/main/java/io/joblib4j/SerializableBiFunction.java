package io.joblib4j;

import java.io.Serializable;
import java.util.function.BiFunction;

/** A {@link BiFunction} that is {@link Serializable}, so that it can be sent to worker JVMs and identified by caches. */
@FunctionalInterface
public interface SerializableBiFunction<A, B, R>
        extends BiFunction<A, B, R>, SerializableFunction2<A, B, R>, Serializable {
    @Override
    R apply(A a, B b);
}
