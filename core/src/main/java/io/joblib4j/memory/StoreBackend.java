package io.joblib4j.memory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where {@link Memory} keeps its results: a service-provider interface with one implementation built in, the
 * file-system store ({@link #fileSystem(Path)}).
 *
 * <p>Layout of the file-system store: {@code <location>/joblib4j/<function-id>/<key>/output} (the result, written
 * with {@code Joblib.dump}) and {@code metadata.json} beside it, plus {@code <location>/joblib4j/<function-id>/func_code.json},
 * the code record of the function. An entry is staged in a private directory and renamed into place in one step, so
 * readers in any thread or JVM see a complete entry or none; removal renames an entry away before deleting it.
 *
 * <p>Contract for implementations: every method may be called from many threads and, for shared stores, from many
 * processes at once; {@link #put} must publish an entry atomically (a reader never sees part of one); a method that
 * finds nothing answers null or an empty list rather than throwing. I/O failures are {@link IOException}s, which
 * {@link Memory} reports and survives (a failed store still returns the computed value).
 */
public interface StoreBackend {

    /** The file-system store rooted at {@code location} (created on first write). */
    static StoreBackend fileSystem(Path location) {
        return new FileSystemStore(location);
    }

    /** Where the store keeps its data, for messages ({@code /data/cache}, {@code s3://bucket/prefix}). */
    String location();

    /**
     * A local file holding the stored output of entry ({@code functionId}, {@code key}), ready for
     * {@code Joblib.load} (memory-mapped or not), or null when there is no such entry.
     */
    @Nullable
    Path output(String functionId, String key) throws IOException;

    /** The metadata of one entry, or null when there is no such entry. */
    @Nullable
    CacheEntry entry(String functionId, String key) throws IOException;

    /** Records that the entry was just used (for least-recently-used eviction); no-op when it is gone. */
    void touch(String functionId, String key) throws IOException;

    /**
     * Stores an entry atomically: {@code writer} writes the output to a file the store provides, the store adds
     * the metadata and publishes both at once. When another writer published the same entry first, theirs is kept.
     *
     * @param duration  how long the call took
     * @param inputArgs argument name to a readable form of its value
     * @return the size of the stored entry in bytes
     */
    long put(String functionId, String key, OutputWriter writer, Duration duration, Map<String, String> inputArgs)
            throws IOException;

    /** Removes one entry; true when it existed. */
    boolean remove(String functionId, String key) throws IOException;

    /** Removes every entry and the code record of one function. */
    void clear(String functionId) throws IOException;

    /**
     * Removes every entry and code record the store holds, and nothing it did not write.
     *
     * @throws IOException when the location holds data that is not this store's (the message names it)
     */
    void clear() throws IOException;

    /** The identifiers of the functions that have entries or a code record, sorted. */
    List<String> functions() throws IOException;

    /** The entries of one function (any order). */
    List<CacheEntry> entries(String functionId) throws IOException;

    /**
     * The size and last access of each entry of one function, for automatic eviction, which runs often and needs
     * nothing else: implementations may leave the duration zero, the arguments empty and the creation time equal
     * to the last access, when that is cheaper than {@link #entries}. The default is {@link #entries}.
     */
    default List<CacheEntry> usage(String functionId) throws IOException {
        return entries(functionId);
    }

    /** The function's code record (JSON text), or null when none was written. */
    @Nullable
    String codeRecord(String functionId) throws IOException;

    /** Replaces the function's code record atomically. */
    void writeCodeRecord(String functionId, String record) throws IOException;

    /** Writes a result to a file. */
    @FunctionalInterface
    interface OutputWriter {
        /** Writes the output to {@code file}, which does not exist yet. */
        void writeTo(Path file) throws IOException;
    }
}
