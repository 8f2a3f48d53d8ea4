package io.joblib4j.internal.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The process backend's temp folders: {@code <base>/joblib4j-<pid>-<kind>-<random>}, mode 0700. The base is the
 * caller's choice, else {@code JOBLIB_TEMP_FOLDER}, else {@code /dev/shm} when it is writable with more than 2 GiB
 * free, else the system temp folder. Folders are deleted when their owner closes them and at JVM exit; the first
 * use of a base deletes the folders that dead processes left there.
 */
public final class TempFolders {
    /** A folder name's prefix; the owner's pid follows it. */
    public static final String PREFIX = "joblib4j-";
    private static final long SHM_MIN_FREE = 2L << 30;
    private static final Set<Path> COLLECTED_BASES = ConcurrentHashMap.newKeySet();
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Path p : LIVE) {
                deleteQuietly(p);
            }
        }, "joblib4j-temp-cleanup"));
    }

    private TempFolders() {}

    /** The default base folder, as described in the class comment. */
    public static Path defaultBase() {
        String env = System.getenv("JOBLIB_TEMP_FOLDER");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        Path shm = Path.of("/dev/shm");
        try {
            if (Files.isDirectory(shm) && Files.isWritable(shm) && Files.getFileStore(shm).getUsableSpace() > SHM_MIN_FREE) {
                return shm;
            }
        } catch (IOException | SecurityException e) {
            // fall through to the system temp folder
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /**
     * Creates a new 0700 folder under {@code base} (null: {@link #defaultBase()}), collecting dead processes'
     * leftovers in that base first if this JVM has not done so yet. The folder is deleted at JVM exit unless
     * {@link #delete} removed it before.
     */
    public static Path create(Path base, String kind) {
        Path b = base == null ? defaultBase() : base;
        try {
            Files.createDirectories(b);
            if (COLLECTED_BASES.add(b.toAbsolutePath().normalize())) {
                collectLeftovers(b);
            }
            String name = PREFIX + ProcessHandle.current().pid() + "-" + kind + "-"
                    + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
            Path dir = Files.createDirectory(b.resolve(name), ownerOnly(b, "rwx------"));
            LIVE.add(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp folder for worker processes under " + b + ": " + e, e);
        }
    }

    /**
     * The attribute giving a new file or folder in {@code where} the POSIX permissions {@code perms} (such as
     * {@code rw-------}), or none on a file system without POSIX permissions (where the folder's ACL applies).
     */
    public static java.nio.file.attribute.FileAttribute<?>[] ownerOnly(Path where, String perms) {
        if (!where.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new java.nio.file.attribute.FileAttribute<?>[0];
        }
        return new java.nio.file.attribute.FileAttribute<?>[] {
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(perms))};
    }

    /** Deletes the folders under {@code base} whose owning process no longer runs; returns how many. */
    public static int collectLeftovers(Path base) {
        int n = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, PREFIX + "*")) {
            for (Path dir : dirs) {
                long pid = ownerPid(dir.getFileName().toString());
                if (pid > 0 && pid != ProcessHandle.current().pid()
                        && ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true) && Files.isDirectory(dir)) {
                    deleteQuietly(dir);
                    n++;
                }
            }
        } catch (IOException | SecurityException e) {
            // an unreadable base has nothing we may collect
        }
        return n;
    }

    private static long ownerPid(String name) {
        int start = PREFIX.length();
        int end = name.indexOf('-', start);
        if (end < 0) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(start, end));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Deletes {@code dir} and everything in it, ignoring what is already gone. */
    public static void delete(Path dir) {
        LIVE.remove(dir);
        deleteQuietly(dir);
    }

    private static void deleteQuietly(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            // best effort: the next start collects what is left
        }
    }
}
