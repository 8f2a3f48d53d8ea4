package io.joblib4j.memory;

import io.joblib4j.SerializableFunction;
import io.joblib4j.array.MmapMode;
import java.io.Serial;

/**
 * A one-argument function whose results are cached by a {@link Memory} (joblib's {@code MemorizedFunc}). Obtain one
 * with {@link Memory#cache(SerializableFunction)}. It is itself a {@link SerializableFunction}, so it can be passed
 * to {@code Parallel.map} and used from any thread or worker JVM.
 *
 * <p>Instances are immutable and thread-safe; {@link #ignoring}, {@link #validatedBy} and {@link #mmapMode} return
 * configured copies.
 *
 * @param <T> the argument type
 * @param <R> the result type
 */
public final class CachedFunction<T, R> implements SerializableFunction<T, R> {
    @Serial
    private static final long serialVersionUID = 1L;

    private final Memoized m;

    CachedFunction(Memoized m) {
        this.m = m;
    }

    /**
     * The result of {@code fn(arg)}: loaded from the cache when this call was stored before (with the same code
     * version and an equal argument), else computed, stored and returned. An exception thrown by the function
     * reaches the caller unchanged and nothing is stored.
     */
    @Override
    @SuppressWarnings("unchecked")
    public R apply(T arg) {
        return (R) m.call(new Object[] {arg}, this::invoke);
    }

    @SuppressWarnings("unchecked")
    private Object invoke(Object[] args) {
        return ((SerializableFunction<T, R>) m.function).apply((T) args[0]);
    }

    /**
     * Always calls {@code fn(arg)}, whether or not a result is cached, stores the result (replacing the cached one) and
     * returns it with the stored entry's metadata (joblib's {@code MemorizedFunc.call}). An exception thrown by the
     * function reaches the caller unchanged and the cached entry, if any, is left as it was.
     */
    public CallOutput<R> call(T arg) {
        return m.forceCall(new Object[] {arg}, this::invoke);
    }

    /**
     * Computes (when needed) and stores the result without loading it: the returned {@link CachedResult} reads it
     * from the store on {@link CachedResult#get()} (joblib's {@code call_and_shelve}).
     */
    public CachedResult<R> callAndShelve(T arg) {
        return m.shelve(new Object[] {arg}, this::invoke);
    }

    /** Whether a result for {@code arg} is in the cache (without calling or loading anything). */
    public boolean isCached(T arg) {
        return m.isCached(new Object[] {arg});
    }

    /** Removes every cached result of this function. */
    public void clear() {
        m.clear();
    }

    /**
     * A copy whose cache key leaves out the named parameter (joblib's {@code ignore}); all calls then share one
     * entry. Names are the source names when compiled with {@code -parameters}, else {@code arg0}.
     *
     * @throws IllegalArgumentException naming the function's parameters when a name is unknown
     */
    public CachedFunction<T, R> ignoring(String... parameterNames) {
        return new CachedFunction<>(m.ignoringNames(parameterNames));
    }

    /** A copy that checks each cached result with {@code validation} before using it. */
    public CachedFunction<T, R> validatedBy(CacheValidation validation) {
        return new CachedFunction<>(m.validatedBy(validation));
    }

    /** A copy that loads results in {@code mode} (memory-mapped arrays), overriding the memory's setting; null = heap. */
    public CachedFunction<T, R> mmapMode(MmapMode mode) {
        return new CachedFunction<>(m.mmapMode(mode));
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
