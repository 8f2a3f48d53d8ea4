package io.joblib4j.memory;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A reference to a result in the cache (joblib's {@code MemorizedResult}), returned by {@code callAndShelve}: the
 * result is read from the store only when {@link #get()} is called, so references are cheap to keep and to send to
 * other threads or JVMs. When the memory caches nothing, or the result could not be stored, the reference holds the
 * value itself.
 *
 * <p>Thread-safe. {@code get} may be called many times; each call reads the store again.
 *
 * @param <R> the result type
 */
public final class CachedResult<R extends @Nullable Object> implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final Memoized owner;
    private final String call;
    private final @Nullable String functionId;
    private final @Nullable String key;
    private final Duration duration;
    private final boolean stored;
    private volatile @Nullable Object value;
    private volatile boolean cleared;

    private CachedResult(
            Memoized owner,
            String call,
            @Nullable String functionId,
            @Nullable String key,
            Duration duration,
            boolean stored,
            @Nullable Object value) {
        this.owner = owner;
        this.call = call;
        this.functionId = functionId;
        this.key = key;
        this.duration = duration;
        this.stored = stored;
        this.value = value;
    }

    static <R> CachedResult<R> stored(Memoized owner, String call, String functionId, String key, Duration duration) {
        return new CachedResult<>(owner, call, functionId, key, duration, true, null);
    }

    static <R> CachedResult<R> inMemory(Memoized owner, Object value, Duration duration) {
        return new CachedResult<>(owner, owner.toString(), null, null, duration, false, value);
    }

    /**
     * The result, loaded from the store (memory-mapped when the function's mmap mode says so).
     *
     * @throws UncheckedIOException  when the entry was removed meanwhile (cleared or evicted), or cannot be read
     *                               (corrupt, truncated): the message names the call and the file
     * @throws IllegalStateException after {@link #clear()} on a result held in memory
     */
    // NullAway: R is the cached function's result type, null when the function returned null; NullAway does not
    // accept a nullable value for a type variable with a nullable bound.
    @SuppressWarnings({"unchecked", "NullAway"})
    public R get() {
        if (!stored) {
            if (cleared) {
                throw new IllegalStateException("the result of " + call + " was cleared");
            }
            return (R) value;
        }
        return (R) owner.loadStored(storedId(), storedKey(), call);
    }

    /** The function id of a stored result (see {@link #stored}); results held in memory have none. */
    private String storedId() {
        return Objects.requireNonNull(functionId, "function id of a stored result");
    }

    /** The key of a stored result (see {@link #stored}). */
    private String storedKey() {
        return Objects.requireNonNull(key, "key of a stored result");
    }

    /** Removes the result from the store (or drops the held value). Idempotent. */
    public void clear() {
        if (!stored) {
            cleared = true;
            value = null;
            return;
        }
        owner.memory.store().ifPresent(s -> {
            try {
                s.remove(storedId(), storedKey());
            } catch (java.io.IOException e) {
                throw new UncheckedIOException(
                        "cannot remove the cached result of " + call + " from " + s.location() + ": " + e.getMessage(),
                        e);
            }
        });
    }

    /** How long the call that produced the result took. */
    public Duration duration() {
        return duration;
    }

    /** The key of the entry in the store, or empty when the value is held in memory. */
    public Optional<String> key() {
        return Optional.ofNullable(key);
    }

    /** The function identifier of the entry, or empty when the value is held in memory. */
    public Optional<String> functionId() {
        return Optional.ofNullable(functionId);
    }

    @Override
    public String toString() {
        return stored
                ? "CachedResult(" + call + ", location=" + owner.memory.locationText() + "/" + functionId + "/" + key
                        + ")"
                : "NotMemorizedResult(" + call + ")";
    }
}
