package io.joblib4j.internal.process;

import io.joblib4j.array.MmapMode;
import io.joblib4j.array.NdArray;
import java.io.Serial;
import java.io.Serializable;

/**
 * Stands in a serialized batch for an {@link NdArray} that lives in a file (mapped by the caller, or written by the
 * parent to the call's temp folder): the worker maps the same bytes with {@code mode} instead of receiving a copy.
 */
public record SharedNdArrayRef(NdArray.MappedRef ref, MmapMode mode) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The key under which a worker keeps its mapping for the rest of the call. */
    public String key() {
        return ref.file() + "@" + ref.offset() + ":" + mode;
    }
}
