package io.joblib4j;

import io.joblib4j.internal.Describe;
import java.io.Serial;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A call to a function with its arguments, not yet made: what {@link Joblib#delayed(SerializableFunction1, Object)}
 * (and its forms with up to six arguments) returns. The function and the arguments stay inspectable, for messages
 * ({@code sqrt(4)}), error reports and cache keys.
 *
 * @param <R> the result type
 */
public final class Delayed<R> implements Task<R> {
    @Serial
    private static final long serialVersionUID = 2L;

    /** A {@code SerializableFunction1} .. {@code SerializableFunction6}, of {@code arguments.length} arguments. */
    private final Object function;

    private final @Nullable Object[] arguments;

    private Delayed(Object function, @Nullable Object[] arguments) {
        this.function = Objects.requireNonNull(function, "function must not be null");
        this.arguments = arguments;
    }

    static <T extends @Nullable Object, R> Delayed<R> of(SerializableFunction1<T, R> f, T a) {
        return new Delayed<>(f, new @Nullable Object[] {a});
    }

    static <A extends @Nullable Object, B extends @Nullable Object, R> Delayed<R> of(
            SerializableFunction2<A, B, R> f, A a, B b) {
        return new Delayed<>(f, new @Nullable Object[] {a, b});
    }

    static <A extends @Nullable Object, B extends @Nullable Object, C extends @Nullable Object, R> Delayed<R> of(
            SerializableFunction3<A, B, C, R> f, A a, B b, C c) {
        return new Delayed<>(f, new @Nullable Object[] {a, b, c});
    }

    static <
                    A extends @Nullable Object,
                    B extends @Nullable Object,
                    C extends @Nullable Object,
                    D extends @Nullable Object,
                    R>
            Delayed<R> of(SerializableFunction4<A, B, C, D, R> f, A a, B b, C c, D d) {
        return new Delayed<>(f, new @Nullable Object[] {a, b, c, d});
    }

    static <
                    A extends @Nullable Object,
                    B extends @Nullable Object,
                    C extends @Nullable Object,
                    D extends @Nullable Object,
                    E extends @Nullable Object,
                    R>
            Delayed<R> of(SerializableFunction5<A, B, C, D, E, R> f, A a, B b, C c, D d, E e) {
        return new Delayed<>(f, new @Nullable Object[] {a, b, c, d, e});
    }

    static <
                    A extends @Nullable Object,
                    B extends @Nullable Object,
                    C extends @Nullable Object,
                    D extends @Nullable Object,
                    E extends @Nullable Object,
                    F extends @Nullable Object,
                    R>
            Delayed<R> of(SerializableFunction6<A, B, C, D, E, F, R> fn, A a, B b, C c, D d, E e, F f) {
        return new Delayed<>(fn, new @Nullable Object[] {a, b, c, d, e, f});
    }

    /**
     * The function: a {@link SerializableFunction1} ({@link SerializableFunction} included),
     * {@link SerializableFunction2} ({@link SerializableBiFunction} included) .. {@link SerializableFunction6}, of as
     * many arguments as {@link #arguments()} holds.
     */
    public Object function() {
        return function;
    }

    /** The arguments, in order (one to six; an unmodifiable list, which may hold nulls). */
    public List<Object> arguments() {
        return Collections.unmodifiableList(Arrays.asList(arguments));
    }

    @Override
    @SuppressWarnings("unchecked")
    public R call() throws Exception {
        @Nullable Object[] a = arguments;
        return switch (a.length) {
            case 1 -> ((SerializableFunction1<@Nullable Object, R>) function).apply(a[0]);
            case 2 -> ((SerializableFunction2<@Nullable Object, @Nullable Object, R>) function).apply(a[0], a[1]);
            case 3 ->
                ((SerializableFunction3<@Nullable Object, @Nullable Object, @Nullable Object, R>) function)
                        .apply(a[0], a[1], a[2]);
            case 4 ->
                ((SerializableFunction4<@Nullable Object, @Nullable Object, @Nullable Object, @Nullable Object, R>)
                                function)
                        .apply(a[0], a[1], a[2], a[3]);
            case 5 ->
                ((SerializableFunction5<
                                        @Nullable Object,
                                        @Nullable Object,
                                        @Nullable Object,
                                        @Nullable Object,
                                        @Nullable Object,
                                        R>)
                                function)
                        .apply(a[0], a[1], a[2], a[3], a[4]);
            case 6 ->
                ((SerializableFunction6<
                                        @Nullable Object,
                                        @Nullable Object,
                                        @Nullable Object,
                                        @Nullable Object,
                                        @Nullable Object,
                                        @Nullable Object,
                                        R>)
                                function)
                        .apply(a[0], a[1], a[2], a[3], a[4], a[5]);
            default ->
                throw new IllegalStateException("a delayed call of " + a.length + " arguments (expected 1 to 6)");
        };
    }

    @Override
    public String describe() {
        return Describe.call(Describe.function(function), arguments);
    }

    @Override
    public String toString() {
        return "delayed " + describe();
    }
}
