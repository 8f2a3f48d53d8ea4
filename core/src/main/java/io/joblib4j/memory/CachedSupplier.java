package io.joblib4j.memory;

import io.joblib4j.SerializableSupplier;
import io.joblib4j.array.MmapMode;
import java.io.Serial;

/**
 * A supplier whose result is cached by a {@link Memory}: computed once per code version and captured values, then
 * loaded. See {@link CachedFunction} for the contract. Obtain one with {@link Memory#cache(SerializableSupplier)}.
 *
 * @param <R> the result type
 */
public final class CachedSupplier<R> implements SerializableSupplier<R> {
    @Serial
    private static final long serialVersionUID = 1L;

    private static final Object[] NO_ARGS = {};

    private final Memoized m;

    CachedSupplier(Memoized m) {
        this.m = m;
    }

    /** The supplier's result, from the cache when stored before, else computed and stored. */
    @Override
    @SuppressWarnings("unchecked")
    public R get() {
        return (R) m.call(NO_ARGS, this::invoke);
    }

    @SuppressWarnings("unchecked")
    private Object invoke(Object[] args) {
        return ((SerializableSupplier<R>) m.function).get();
    }

    /** Computes (when needed) and stores the result without loading it; see {@link CachedResult}. */
    public CachedResult<R> callAndShelve() {
        return m.shelve(NO_ARGS, this::invoke);
    }

    /** Whether the result is in the cache. */
    public boolean isCached() {
        return m.isCached(NO_ARGS);
    }

    /** Removes the cached result. */
    public void clear() {
        m.clear();
    }

    /** A copy that checks the cached result with {@code validation} before using it. */
    public CachedSupplier<R> validatedBy(CacheValidation validation) {
        return new CachedSupplier<>(m.validatedBy(validation));
    }

    /** A copy that loads the result in {@code mode}, overriding the memory's setting; null = heap. */
    public CachedSupplier<R> mmapMode(MmapMode mode) {
        return new CachedSupplier<>(m.mmapMode(mode));
    }

    /** The supplier's identifier in the store. */
    public String functionId() {
        return m.functionId();
    }

    @Override
    public String toString() {
        return m.toString();
    }
}
