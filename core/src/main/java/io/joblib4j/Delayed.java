package io.joblib4j;

import io.joblib4j.internal.Describe;
import java.io.Serial;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A call to a function with its arguments, not yet made: what {@link Joblib#delayed(SerializableFunction, Object)}
 * returns. The function and the arguments stay inspectable, for messages ({@code sqrt(4)}), error reports and
 * cache keys.
 *
 * @param <R> the result type
 */
public final class Delayed<R> implements Task<R> {
    @Serial
    private static final long serialVersionUID = 1L;

    private final Object function;
    private final Object first;
    private final Object second;
    private final boolean binary;

    private Delayed(Object function, Object first, Object second, boolean binary) {
        this.function = function;
        this.first = first;
        this.second = second;
        this.binary = binary;
    }

    static <T, R> Delayed<R> of(SerializableFunction<T, R> f, T arg) {
        return new Delayed<>(Objects.requireNonNull(f, "function must not be null"), arg, null, false);
    }

    static <A, B, R> Delayed<R> of(SerializableBiFunction<A, B, R> f, A a, B b) {
        return new Delayed<>(Objects.requireNonNull(f, "function must not be null"), a, b, true);
    }

    /** The function: a {@link SerializableFunction} or {@link SerializableBiFunction}. */
    public Object function() {
        return function;
    }

    /** The arguments, in order (one or two). */
    public List<Object> arguments() {
        return binary ? Arrays.asList(first, second) : Collections.singletonList(first);
    }

    @Override
    @SuppressWarnings("unchecked")
    public R call() {
        if (!binary) {
            return ((SerializableFunction<Object, R>) function).apply(first);
        }
        return ((SerializableBiFunction<Object, Object, R>) function).apply(first, second);
    }

    @Override
    public String describe() {
        return binary ? Describe.call(Describe.function(function), first, second)
                : Describe.call(Describe.function(function), first);
    }

    @Override
    public String toString() {
        return "delayed " + describe();
    }
}
