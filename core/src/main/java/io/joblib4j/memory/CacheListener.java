package io.joblib4j.memory;

import java.util.Objects;

/**
 * Told of every call through a {@link Memory} cache in this JVM that found its result stored (a hit) or computed
 * and stored it (a miss): the hook that metrics libraries bind to (such as {@code joblib4j-micrometer}'s
 * {@code JoblibMetrics}). Register one with {@link #register}; while none is registered (and no JFR recording has
 * the {@code io.joblib4j.CacheHit}/{@code CacheMiss} events on), calls record nothing.
 *
 * <p>Methods are called in the thread that made the call, after the fact; they must be quick and must not throw
 * (an exception is caught and reported once on stderr).
 */
public interface CacheListener {

    /** A call's result was loaded from the cache. */
    default void hit(CacheEvent event) {}

    /** A call's result was not in the cache: the function ran (and its result was stored, if it could be). */
    default void miss(CacheEvent event) {}

    /**
     * Adds a listener for all cache calls from now on in this JVM, until the returned registration is closed.
     *
     * @throws NullPointerException if {@code listener} is null
     */
    static Registration register(CacheListener listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        CacheEvents.LISTENERS.add(listener);
        return () -> CacheEvents.LISTENERS.remove(listener);
    }

    /** Removes its listener when closed; closing twice does nothing more. */
    @FunctionalInterface
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** One hit or miss. */
    interface CacheEvent {
        /** The cache that was asked. */
        Memory memory();

        /** Where its entries are stored (the store's location, such as a folder). */
        String location();

        /** The cached function's id, as in the store's layout. */
        String function();

        /** The key of the call's arguments. */
        String key();

        /** The stored result's size in bytes: read on a hit, written on a miss (-1 if unknown or not stored). */
        long bytes();

        /** How long loading (hit) or computing (miss) took, in nanoseconds. */
        long durationNanos();
    }
}
