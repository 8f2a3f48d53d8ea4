package io.joblib4j.memory;

import java.util.Objects;

/**
 * What {@code CachedFunction.call} returns (joblib's {@code MemorizedFunc.call}, which returns the output and the
 * metadata): the value the function just computed and the metadata of the entry it was stored as.
 *
 * <p>When the memory caches nothing, or the result could not be stored, the metadata describes the call only: its
 * duration and arguments, with a size of 0 (and an empty key when there is no store).
 *
 * @param <R> the result type
 */
public final class CallOutput<R> {
    private final R output;
    private final CacheEntry metadata;

    private CallOutput(R output, CacheEntry metadata) {
        this.output = output;
        this.metadata = Objects.requireNonNull(metadata, "metadata");
    }

    @SuppressWarnings("unchecked")
    static <R> CallOutput<R> of(Object output, CacheEntry metadata) {
        return new CallOutput<>((R) output, metadata);
    }

    /** The value the function returned in this call. */
    public R output() {
        return output;
    }

    /** The stored entry's metadata: key, when it was stored, how long the call took, its arguments. */
    public CacheEntry metadata() {
        return metadata;
    }

    @Override
    public String toString() {
        return "CallOutput(" + metadata.functionId() + ", key=" + metadata.key() + ", duration=" + metadata.duration()
                + ")";
    }
}
