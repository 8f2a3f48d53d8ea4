package io.joblib4j.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Files of shared memory that outlive a call: the shared values, shared arrays and large queue items of
 * {@code io.joblib4j.multiprocessing}. They live in one folder per JVM, {@code <base>/joblib4j-<pid>-shm-<random>}
 * (0700, {@link TempFolders}), created at first use and deleted when this JVM exits; a killed JVM's folder is
 * collected by the next JVM that uses the same base.
 */
public final class SharedFiles {
    private static final AtomicLong COUNTER = new AtomicLong();
    private static volatile @Nullable Path folder;

    private SharedFiles() {}

    /** This JVM's folder of shared files, created at first use. */
    public static Path folder() {
        Path f = folder;
        if (f == null) {
            synchronized (SharedFiles.class) {
                f = folder;
                if (f == null) {
                    f = TempFolders.create(null, "shm");
                    folder = f;
                }
            }
        }
        return f;
    }

    /** A new path in {@link #folder()}, named after {@code kind}; the file is not created. */
    public static Path newPath(String kind) {
        return folder().resolve(kind + "-" + COUNTER.incrementAndGet());
    }

    /** Creates a new file of {@code bytes} zero bytes (0600) in {@link #folder()}, named after {@code kind}. */
    public static Path create(String kind, long bytes) {
        Path file = newPath(kind);
        try {
            Files.createFile(file, TempFolders.ownerOnly(folder(), "rw-------"));
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                if (bytes > 0) {
                    ch.truncate(0);
                    ch.position(bytes - 1);
                    ch.write(java.nio.ByteBuffer.wrap(new byte[1]));
                }
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot create a shared-memory file of " + bytes + " bytes in " + file.getParent() + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /** Deletes {@code file} if it is in {@link #folder()}; never anything else. */
    public static void delete(Path file) {
        Path f = folder;
        if (f != null && file.getParent() != null && file.getParent().equals(f)) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // the folder goes at exit anyway
            }
        }
    }
}
