package io.joblib4j.internal.process;

import java.io.Serial;
import java.io.Serializable;

/**
 * Stands in a serialized batch for a large object graph that the tasks of a call capture (the receiver of a bound
 * method reference such as {@code big::doChunk}, or a value a lambda captures), which the parent serialized to a file
 * instead of sending it with every batch. A worker reads and deserializes the file once per call and gives every task
 * of the call the same copy.
 *
 * <p>A graph with a {@link GraphDigest digest} ({@code digested}) is published by the pool and kept across calls while
 * its content stays the same: a worker keeps its copy under the digest too, and at the first use in a later call
 * gives it to the call's tasks only if the copy's digest is still the published one (a task may have modified it),
 * else reads the file again.
 *
 * @param path       the file holding the graph's serialized bytes (its large arrays shared as usual)
 * @param bytes      the file's size, for messages
 * @param digested   whether {@code digestHigh} and {@code digestLow} hold the graph's digest
 * @param digestHigh the high 64 bits of the digest
 * @param digestLow  the low 64 bits of the digest
 */
public record SharedGraphRef(String path, long bytes, boolean digested, long digestHigh, long digestLow)
        implements Serializable {
    @Serial
    private static final long serialVersionUID = 2L;

    /** A graph read once per call, without a digest. */
    public SharedGraphRef(String path, long bytes) {
        this(path, bytes, false, 0, 0);
    }
}
