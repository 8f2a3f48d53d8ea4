package io.joblib4j.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

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
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            for (Path p : LIVE) {
                                deleteQuietly(p);
                            }
                        },
                        "joblib4j-temp-cleanup"));
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
            if (Files.isDirectory(shm)
                    && Files.isWritable(shm)
                    && Files.getFileStore(shm).getUsableSpace() > SHM_MIN_FREE) {
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
    public static Path create(@Nullable Path base, String kind) {
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
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(perms))
        };
    }

    /**
     * Deletes the folders under {@code base} whose owning process no longer runs; returns how many. Only folders
     * owned by this JVM's user, with no permission for anyone else, are collected; links are never followed (every
     * folder is opened without following links and its content deleted relative to that open folder), so what
     * another user plants or swaps in under a shared base cannot make this delete anything outside it.
     */
    public static int collectLeftovers(Path base) {
        int n = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base)) {
            if (!(dirs instanceof SecureDirectoryStream<Path> secure)) {
                return 0; // without directory handles a folder can be swapped between check and use: leave it
            }
            UserPrincipal me = currentUser();
            for (Path entry : secure) {
                Path name = entry.getFileName();
                String s = name.toString();
                if (!s.startsWith(PREFIX)) {
                    continue;
                }
                long pid = ownerPid(s);
                if (pid <= 0
                        || pid == ProcessHandle.current().pid()
                        || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                if (me != null && collectOne(secure, name, me)) {
                    n++;
                }
            }
        } catch (IOException | SecurityException | java.nio.file.DirectoryIteratorException e) {
            // an unreadable base has nothing we may collect
        }
        return n;
    }

    /** Deletes the leftover {@code name} of {@code parent} if it is a folder of {@code me} open to no one else. */
    private static boolean collectOne(SecureDirectoryStream<Path> parent, Path name, UserPrincipal me) {
        if (!ownerOnlyFolderOf(
                parent.getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS), me)) {
            return false;
        }
        try (SecureDirectoryStream<Path> dir = parent.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
            // the folder opened may not be the one checked: check the open one again
            if (!ownerOnlyFolderOf(dir.getFileAttributeView(PosixFileAttributeView.class), me)) {
                return false;
            }
            deleteContent(dir, 0);
        } catch (IOException | SecurityException | java.nio.file.DirectoryIteratorException e) {
            return false;
        }
        try {
            parent.deleteDirectory(name);
            return true;
        } catch (IOException e) {
            return false; // not empty (something was added meanwhile) or gone: the next start tries again
        }
    }

    private static boolean ownerOnlyFolderOf(PosixFileAttributeView view, UserPrincipal me) {
        if (view == null) {
            return false;
        }
        try {
            PosixFileAttributes a = view.readAttributes();
            Set<PosixFilePermission> perms = a.permissions();
            return a.isDirectory()
                    && me.equals(a.owner())
                    && perms.stream()
                            .noneMatch(p ->
                                    p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"));
        } catch (IOException e) {
            return false;
        }
    }

    /** Deletes what {@code dir} holds, without following links: sub-folders are opened with NOFOLLOW_LINKS. */
    private static void deleteContent(SecureDirectoryStream<Path> dir, int depth) throws IOException {
        List<Path> names = new ArrayList<>();
        for (Path entry : dir) {
            names.add(entry.getFileName());
        }
        for (Path name : names) {
            BasicFileAttributes a;
            try {
                a = dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .readAttributes();
            } catch (NoSuchFileException e) {
                continue;
            }
            if (a.isDirectory() && depth < 64) {
                try (SecureDirectoryStream<Path> sub = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                    deleteContent(sub, depth + 1);
                } catch (NoSuchFileException e) {
                    continue;
                } catch (IOException e) {
                    // swapped for something that is not a folder: unlink that below
                }
                try {
                    dir.deleteDirectory(name);
                } catch (NoSuchFileException e) {
                    // gone
                } catch (IOException e) {
                    try {
                        dir.deleteFile(name); // a link or file swapped in since: unlink it, never what it points to
                    } catch (IOException ignored) {
                        // best effort
                    }
                }
            } else {
                try {
                    dir.deleteFile(name); // unlinkat: a link is removed, not followed
                } catch (NoSuchFileException e) {
                    // gone
                } catch (IOException e) {
                    try {
                        dir.deleteDirectory(name);
                    } catch (IOException ignored) {
                        // best effort
                    }
                }
            }
        }
    }

    private static volatile @Nullable UserPrincipal currentUser;

    /** This JVM's user (its effective user, the owner of {@code /proc/self} on Linux), or null if unknown. */
    private static @Nullable UserPrincipal currentUser() {
        UserPrincipal u = currentUser;
        if (u == null) {
            try {
                Path self = Path.of("/proc/self");
                u = Files.exists(self)
                        ? Files.getOwner(self)
                        : self.getFileSystem()
                                .getUserPrincipalLookupService()
                                .lookupPrincipalByName(System.getProperty("user.name"));
                currentUser = u;
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                return null;
            }
        }
        return u;
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
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, p -> false)) {
                if (ds instanceof SecureDirectoryStream<Path> secure) {
                    Path name = dir.getFileName();
                    try (SecureDirectoryStream<Path> d = secure.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                        deleteContent(d, 0);
                    }
                    secure.deleteDirectory(name);
                    return;
                }
            } catch (NoSuchFileException e) {
                return; // already gone
            } catch (IOException | SecurityException e) {
                return; // best effort: the next start collects what is left
            }
        }
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
