package io.joblib4j.internal.process;

import java.io.Serial;
import java.io.Serializable;

/**
 * Stands in a serialized batch for a large object graph that the tasks of a call capture (the receiver of a bound
 * method reference such as {@code big::doChunk}, or a value a lambda captures), which the parent serialized once per
 * call to a file of the call's temp folder. A worker reads and deserializes the file once per call and gives every
 * task of the call the same copy, instead of receiving the graph with every batch.
 *
 * @param path  the file holding the graph's serialized bytes (its large arrays shared as usual)
 * @param bytes the file's size, for messages
 */
public record SharedGraphRef(String path, long bytes) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
}
