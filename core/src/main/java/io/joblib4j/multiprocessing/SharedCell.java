package io.joblib4j.multiprocessing;

import io.joblib4j.internal.SharedFiles;
import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.jspecify.annotations.Nullable;

/**
 * Eight bytes of a shared-memory file, mapped by every process that uses them: the storage of {@link SharedLong}
 * and {@link SharedDouble}. Atomic operations go through a {@link VarHandle} on the mapping (the processor's own
 * atomic instructions on a page-aligned address), so no process ever waits for another.
 */
final class SharedCell implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final String file;
    private final long ownerPid;
    private transient volatile @Nullable MemorySegment segment;

    SharedCell(String kind) {
        this.file = SharedFiles.create(kind, 8).toString();
        this.ownerPid = ProcessHandle.current().pid();
    }

    MemorySegment segment() {
        MemorySegment s = segment;
        if (s == null) {
            synchronized (this) {
                s = segment;
                if (s == null) {
                    try (FileChannel ch =
                            FileChannel.open(Path.of(file), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                        s = ch.map(FileChannel.MapMode.READ_WRITE, 0, 8, Arena.ofAuto());
                    } catch (IOException e) {
                        throw new SharedObjectGoneException(
                                "the shared value in " + file + " of process " + ownerPid + " cannot be mapped (its"
                                        + " creator has exited or closed it?): " + e,
                                e);
                    } catch (UncheckedIOException e) {
                        throw new SharedObjectGoneException("cannot map " + file + ": " + e, e);
                    }
                    segment = s;
                }
            }
        }
        return s;
    }

    /** Deletes the file, in the creator; processes that mapped it keep their mapping. */
    void close() {
        if (ownerPid == ProcessHandle.current().pid()) {
            SharedFiles.delete(Path.of(file));
        }
    }

    @Override
    public String toString() {
        return file + " of process " + ownerPid;
    }
}
