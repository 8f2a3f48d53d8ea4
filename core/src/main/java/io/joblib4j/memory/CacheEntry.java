package io.joblib4j.memory;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What a store knows about one cached result: where it belongs, when it was made and last used, how long the
 * call took, its size on disk and a readable form of the call's arguments (joblib's {@code metadata.json}).
 *
 * @param functionId the cached function's identifier (its directory name in the file-system store)
 * @param key        the 32-hex-character key of the call (code version and argument hash)
 * @param created    when the result was stored
 * @param lastAccess when the result was last stored or loaded (the order {@code reduceSize} evicts in)
 * @param duration   how long the call that produced the result took
 * @param sizeBytes  bytes the entry takes in the store
 * @param inputArgs  argument name to a short readable form of its value
 */
public record CacheEntry(
        String functionId,
        String key,
        Instant created,
        Instant lastAccess,
        Duration duration,
        long sizeBytes,
        Map<String, String> inputArgs) {
    public CacheEntry {
        Objects.requireNonNull(functionId, "functionId");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(lastAccess, "lastAccess");
        Objects.requireNonNull(duration, "duration");
        inputArgs = inputArgs == null
                ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(inputArgs));
    }

    /** How long ago the result was stored, measured against {@code now}. */
    public Duration age(Instant now) {
        return Duration.between(created, now);
    }
}
