package io.joblib4j.internal.process;

import java.io.Serial;
import java.io.Serializable;

/**
 * Stands in a serialized batch for a large primitive array that the parent wrote to a file in the call's temp
 * folder; the worker reads the array from the file (once per call) instead of from the channel.
 *
 * @param path          the file, raw native-order elements
 * @param componentType the element type's name: {@code double}, {@code int}, ...
 * @param length        the number of elements
 */
public record SharedArrayRef(String path, String componentType, int length) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
}
