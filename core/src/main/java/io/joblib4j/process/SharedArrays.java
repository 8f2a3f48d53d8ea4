package io.joblib4j.process;

import io.joblib4j.internal.process.ArrayFiles;
import io.joblib4j.internal.process.SharedArrayRef;
import io.joblib4j.internal.process.TempFolders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The large arrays of one call: while tasks are serialized, every primitive array larger than {@code maxNbytes}
 * is written once to a file in the call's temp folder and replaced by a {@link SharedArrayRef}; the same array
 * object met again (in any task of the call) reuses its file. {@link #close()} deletes the folder.
 */
final class SharedArrays implements UnaryOperator<Object>, AutoCloseable {
    private final Path base;
    private final Long maxNbytes;
    private final Map<Object, SharedArrayRef> written = new IdentityHashMap<>();
    private Path dir;
    private int files;
    private boolean closed;

    /**
     * @param base      the folder to create the call's folder in, or null for the default
     * @param maxNbytes arrays strictly larger than this are shared; null or negative: none
     */
    SharedArrays(Path base, Long maxNbytes) {
        this.base = base;
        this.maxNbytes = maxNbytes == null || maxNbytes < 0 ? null : maxNbytes;
    }

    @Override
    public synchronized Object apply(Object obj) {
        if (maxNbytes == null || obj == null || !obj.getClass().isArray()) {
            return obj;
        }
        long bytes = ArrayFiles.byteSize(obj);
        if (bytes <= maxNbytes) {
            return obj;
        }
        SharedArrayRef ref = written.get(obj);
        if (ref == null) {
            if (closed) {
                throw new IllegalStateException("the call's shared arrays are already released");
            }
            if (dir == null) {
                dir = TempFolders.create(base, "call");
            }
            try {
                ref = ArrayFiles.write(obj, dir.resolve("array-" + (files++) + ".bin"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write a shared array of " + bytes + " bytes to " + dir + ": " + e, e);
            }
            written.put(obj, ref);
        }
        return ref;
    }

    /** The call's folder, or null if no array has been shared yet. */
    synchronized Path folder() {
        return dir;
    }

    /** Deletes the call's folder and forgets its arrays. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        written.clear();
        if (dir != null) {
            TempFolders.delete(dir);
        }
    }
}
