package io.joblib4j.array;

/**
 * How {@code load} and the process backend map raw array data from a file instead of reading it onto the heap
 * (joblib's {@code mmap_mode}).
 */
public enum MmapMode {
    /** Mapped read-only ({@code "r"}): writing to the array throws. */
    READ_ONLY,
    /** Mapped read-write ({@code "r+"}): writes go through to the file and are seen by every mapping of it. */
    READ_WRITE,
    /** Mapped copy-on-write ({@code "c"}): writes stay private to this mapping; the file never changes. */
    COPY_ON_WRITE
}
