package io.joblib4j.memory;

import io.joblib4j.SerializableBiFunction;
import io.joblib4j.array.MmapMode;
import java.io.Serial;

/**
 * A two-argument function whose results are cached by a {@link Memory}; see {@link CachedFunction} for the
 * contract, which is the same with two arguments. Obtain one with {@link Memory#cache(SerializableBiFunction)}.
 *
 * @param <A> the first argument type
 * @param <B> the second argument type
 * @param <R> the result type
 */
public final class CachedBiFunction<A, B, R> implements SerializableBiFunction<A, B, R> {
    @Serial
    private static final long serialVersionUID = 1L;

    private final Memoized m;

    CachedBiFunction(Memoized m) {
        this.m = m;
    }

    /** The result of {@code fn(a, b)}, from the cache when stored before, else computed and stored. */
    @Override
    @SuppressWarnings("unchecked")
    public R apply(A a, B b) {
        return (R) m.call(new Object[] {a, b}, this::invoke);
    }

    @SuppressWarnings("unchecked")
    private Object invoke(Object[] args) {
        return ((SerializableBiFunction<A, B, R>) m.function).apply((A) args[0], (B) args[1]);
    }

    /**
     * Always calls {@code fn(a, b)}, whether or not a result is cached, stores the result (replacing the cached one) and
     * returns it with the stored entry's metadata (joblib's {@code MemorizedFunc.call}). An exception thrown by the
     * function reaches the caller unchanged and the cached entry, if any, is left as it was.
     */
    public CallOutput<R> call(A a, B b) {
        return m.forceCall(new Object[] {a, b}, this::invoke);
    }

    /** Computes (when needed) and stores the result without loading it; see {@link CachedResult}. */
    public CachedResult<R> callAndShelve(A a, B b) {
        return m.shelve(new Object[] {a, b}, this::invoke);
    }

    /** Whether a result for {@code (a, b)} is in the cache. */
    public boolean isCached(A a, B b) {
        return m.isCached(new Object[] {a, b});
    }

    /** Removes every cached result of this function. */
    public void clear() {
        m.clear();
    }

    /**
     * A copy whose key leaves out the named parameters (source names with {@code -parameters}, else {@code arg0},
     * {@code arg1}).
     *
     * @throws IllegalArgumentException naming the function's parameters when a name is unknown
     */
    public CachedBiFunction<A, B, R> ignoring(String... parameterNames) {
        return new CachedBiFunction<>(m.ignoringNames(parameterNames));
    }

    /**
     * A copy whose key leaves out the arguments at these positions (0 = first).
     *
     * @throws IllegalArgumentException when a position is not 0 or 1
     */
    public CachedBiFunction<A, B, R> ignoring(int... positions) {
        return new CachedBiFunction<>(m.ignoringPositions(positions));
    }

    /** A copy that checks each cached result with {@code validation} before using it. */
    public CachedBiFunction<A, B, R> validatedBy(CacheValidation validation) {
        return new CachedBiFunction<>(m.validatedBy(validation));
    }

    /** A copy that loads results in {@code mode}, overriding the memory's setting; null = heap. */
    public CachedBiFunction<A, B, R> mmapMode(MmapMode mode) {
        return new CachedBiFunction<>(m.mmapMode(mode));
    }

    /** The function's identifier in the store. */
    public String functionId() {
        return m.functionId();
    }

    /** The memory this function caches in. */
    public Memory memory() {
        return m.memory;
    }

    @Override
    public String toString() {
        return m.toString();
    }
}
