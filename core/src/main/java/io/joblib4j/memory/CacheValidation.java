package io.joblib4j.memory;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Decides whether a cached result may still be used (joblib's {@code cache_validation_callback}). Called with the
 * entry's metadata before a cached result is loaded; when it answers false the entry is removed and the function is
 * called again. It runs in the calling thread and must not throw; an exception it throws reaches the caller.
 *
 * <pre>{@code
 * memory.cache(fn).validatedBy(CacheValidation.expiresAfter(Duration.ofHours(1)));
 * memory.cache(fn).validatedBy(entry -> entry.duration().toMillis() > 100);   // keep only slow calls
 * }</pre>
 */
@FunctionalInterface
public interface CacheValidation extends Serializable {

    /** True when {@code entry} may be returned; false to recompute it. */
    boolean isValid(CacheEntry entry);

    /**
     * Results older than {@code maxAge} (since they were stored) are recomputed (joblib's {@code expires_after}).
     *
     * @throws IllegalArgumentException when {@code maxAge} is negative
     */
    static CacheValidation expiresAfter(Duration maxAge) {
        Objects.requireNonNull(maxAge, "maxAge");
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("expiresAfter needs a duration >= 0, got " + maxAge);
        }
        return entry -> entry.age(Instant.now()).compareTo(maxAge) <= 0;
    }
}
