package io.joblib4j.memory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The file-system {@link StoreBackend}: one directory per entry, published by an atomic rename, no locks.
 *
 * <pre>
 * location/joblib4j/
 *   .joblib4j-store                   the store marker, written when the store is created
 *   .gitignore                        "*", so a cache inside a repository is not committed (as joblib does)
 *   com.acme.Costly.compute/          one directory per function
 *     func_code.json                  its code record
 *     3f2a.../                        one directory per call (the key)
 *       output                        the result (Joblib.dump)
 *       metadata.json                 duration, input_args, time
 *   .staging/host-pid-uuid/           entries being written (moved into place when complete)
 *   .trash/uuid/                      entries being deleted (moved here first, so removal is atomic too)
 * </pre>
 *
 * The last access of an entry is the modification time of its directory, updated on every load. Staging
 * directories left by a killed writer are deleted by the next writer once their process is gone (same host) or
 * they are a day old.
 *
 * <p><b>Only what the store wrote is listed or deleted.</b> An entry is a directory holding a {@code metadata.json}
 * file; a function is a directory holding a {@code func_code.json} file or an entry. Clearing deletes those (and
 * the store's own staging and trash directories) and nothing else: other files and directories under
 * {@code location/joblib4j} are left where they are. A {@code location/joblib4j} directory without the marker is
 * taken as a store only when it holds an entry whose metadata names it (a store written before the marker existed,
 * which then gets its marker); any other such directory is refused by {@link #functions()} and {@link #clear()} with
 * an {@link IOException} naming it. Outputs are read only when they are regular files in the entry directory
 * (symbolic links are not followed); an entry whose output is missing or not a regular file is replaced by the
 * next {@link #put} of its key.
 */
final class FileSystemStore implements StoreBackend {
    static final String ROOT = "joblib4j";
    static final String OUTPUT = "output";
    static final String METADATA = "metadata.json";
    static final String CODE_RECORD = "func_code.json";
    private static final String STAGING = ".staging";
    private static final String TRASH = ".trash";
    static final String MARKER = ".joblib4j-store";
    static final String GITIGNORE = ".gitignore";
    private static final Duration STALE = Duration.ofDays(1);

    private final Path location;
    private final Path root;
    private final AtomicBoolean swept = new AtomicBoolean();
    private volatile boolean marked;

    FileSystemStore(Path location) {
        if (location == null) {
            throw new NullPointerException("the file-system store needs a location");
        }
        this.location = location;
        this.root = location.resolve(ROOT);
    }

    @Override
    public String location() {
        return location.toString();
    }

    Path root() {
        return root;
    }

    private Path entryDir(String functionId, String key) {
        return root.resolve(checkName(functionId, "function id")).resolve(checkName(key, "key"));
    }

    private static String checkName(String name, String what) {
        if (name == null || name.isEmpty() || name.startsWith(".") || name.contains("/") || name.contains("\\")) {
            throw new IllegalArgumentException("invalid " + what + " \"" + name + "\": expected a non-empty name "
                    + "without path separators that does not start with '.'");
        }
        return name;
    }

    @Override
    public @Nullable Path output(String functionId, String key) {
        Path dir = entryDir(functionId, key);
        Path out = dir.resolve(OUTPUT);
        return isDirectory(dir.getParent()) && isDirectory(dir) && isRegularFile(out) ? out : null;
    }

    /** Where the output of an entry is, whether or not it exists (no file-system access). */
    Path outputPath(String functionId, String key) {
        return entryDir(functionId, key).resolve(OUTPUT);
    }

    @Override
    public @Nullable CacheEntry entry(String functionId, String key) throws IOException {
        return readEntry(functionId, key, entryDir(functionId, key));
    }

    private @Nullable CacheEntry readEntry(String functionId, String key, Path dir) throws IOException {
        BasicFileAttributes dirAttrs;
        String text;
        long size = 0;
        try {
            if (!isDirectory(dir.getParent()) || !isDirectory(dir) || !isRegularFile(dir.resolve(METADATA))) {
                return null;
            }
            dirAttrs = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            text = Files.readString(dir.resolve(METADATA), StandardCharsets.UTF_8);
            size = sizeOf(dir);
        } catch (NoSuchFileException e) {
            return null;
        }
        Map<String, Object> json;
        try {
            json = MetadataJson.parseObject(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(dir.resolve(METADATA) + ": unreadable metadata: " + e.getMessage(), e);
        }
        Instant created = json.get("time") instanceof Number n
                ? toInstant(n.doubleValue())
                : dirAttrs.creationTime().toInstant();
        Duration duration = json.get("duration") instanceof Number n
                ? Duration.ofNanos((long) (n.doubleValue() * 1e9))
                : Duration.ZERO;
        Map<String, String> args = new LinkedHashMap<>();
        if (json.get("input_args") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> args.put(String.valueOf(k), String.valueOf(v)));
        }
        return new CacheEntry(
                functionId, key, created, dirAttrs.lastModifiedTime().toInstant(), duration, size, args);
    }

    private static Instant toInstant(double epochSeconds) {
        long secs = (long) Math.floor(epochSeconds);
        return Instant.ofEpochSecond(secs, (long) ((epochSeconds - secs) * 1e9));
    }

    @Override
    public void touch(String functionId, String key) {
        try {
            Files.setLastModifiedTime(entryDir(functionId, key), FileTime.from(Instant.now()));
        } catch (IOException e) {
            // gone (evicted or cleared meanwhile) or not ours to touch: last access is advisory
        }
    }

    /** Bytes of the files directly in {@code dir}, without following links. */
    private static long sizeOf(Path dir) throws IOException {
        long size = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                try {
                    BasicFileAttributes a =
                            Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    size += a.isRegularFile() ? a.size() : 0;
                } catch (NoSuchFileException e) {
                    // removed meanwhile
                }
            }
        }
        return size;
    }

    private static boolean isDirectory(@Nullable Path p) {
        return p != null && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
    }

    private static boolean isRegularFile(Path p) {
        return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
    }

    /** An entry directory: a real directory holding a metadata.json file (what {@link #put} publishes). */
    private static boolean isEntry(Path d) {
        return !d.getFileName().toString().startsWith(".") && isDirectory(d) && isRegularFile(d.resolve(METADATA));
    }

    /** A function directory: a real directory holding a code record or at least one entry. */
    private static boolean isFunction(Path d) throws IOException {
        if (d.getFileName().toString().startsWith(".") || !isDirectory(d)) {
            return false;
        }
        if (isRegularFile(d.resolve(CODE_RECORD))) {
            return true;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(d)) {
            for (Path e : dirs) {
                if (isEntry(e)) {
                    return true;
                }
            }
        } catch (NoSuchFileException e) {
            return false;
        }
        return false;
    }

    /**
     * Writes the store marker and the {@code .gitignore} when the store is created (first write); a store that has
     * its marker is left as it is.
     */
    private void ensureMarked() throws IOException {
        if (marked) {
            return;
        }
        Files.createDirectories(root);
        if (!Files.exists(root.resolve(MARKER), LinkOption.NOFOLLOW_LINKS)) {
            writeNew(root.resolve(GITIGNORE), "*");
            writeNew(
                    root.resolve(MARKER),
                    MetadataJson.write(Map.of(
                                    "format",
                                    "joblib4j-store-1",
                                    "created",
                                    Instant.now().toEpochMilli() / 1e3))
                            + "\n");
        }
        marked = true;
    }

    /** Creates {@code file} with {@code text} unless something is already there. */
    private static void writeNew(Path file, String text) throws IOException {
        try {
            Files.writeString(
                    file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            // written by another process meanwhile, or the user's own file: kept
        }
    }

    /**
     * Whether {@code root} is a store this class may list and clear: it has the marker, or (a store from before the
     * marker) an entry whose metadata names its function and key, or nothing but the store's own directories. A
     * store recognised by its entries gets its marker. Anything else is refused with an exception naming it.
     *
     * @return false when there is no root directory at all
     */
    private boolean checkStore() throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        if (marked || Files.exists(root.resolve(MARKER), LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        if (!Files.isDirectory(root)) {
            throw new IOException(root + " is not a joblib4j store: it is not a directory");
        }
        boolean empty = true;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                if (name.equals(STAGING) || name.equals(TRASH) || name.equals(GITIGNORE)) {
                    continue;
                }
                empty = false;
                if (hasOwnEntry(d)) {
                    try {
                        writeNew(
                                root.resolve(MARKER),
                                MetadataJson.write(Map.of(
                                                "format",
                                                "joblib4j-store-1",
                                                "created",
                                                Instant.now().toEpochMilli() / 1e3,
                                                "recognised_by",
                                                name))
                                        + "\n");
                    } catch (IOException e) {
                        // a read-only store stays recognisable by its entries
                    }
                    return true;
                }
            }
        }
        if (empty) {
            return true;
        }
        throw new IOException(root + " is not a joblib4j store: it has no " + MARKER + " marker and no cache entry "
                + "written by joblib4j (an entry is <function>/<key>/metadata.json naming its function and key), "
                + "so nothing in it is listed or deleted");
    }

    /** Whether function directory {@code fdir} holds an entry whose metadata.json names fdir and the entry. */
    private static boolean hasOwnEntry(Path fdir) {
        if (!isDirectory(fdir)) {
            return false;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(fdir)) {
            for (Path e : dirs) {
                if (!isEntry(e)) {
                    continue;
                }
                try {
                    Map<String, Object> m =
                            MetadataJson.parseObject(Files.readString(e.resolve(METADATA), StandardCharsets.UTF_8));
                    if (fdir.getFileName().toString().equals(m.get("function"))
                            && e.getFileName().toString().equals(m.get("key"))) {
                        return true;
                    }
                } catch (IOException | RuntimeException ignored) {
                    // not one of ours
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    @Override
    public long put(
            String functionId, String key, OutputWriter writer, Duration duration, Map<String, String> inputArgs)
            throws IOException {
        Path target = entryDir(functionId, key);
        ensureMarked();
        sweepOnce();
        Path staging = root.resolve(STAGING)
                .resolve(host() + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID());
        Files.createDirectories(staging);
        boolean published = false;
        try {
            writer.writeTo(staging.resolve(OUTPUT));
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("duration", duration.toNanos() / 1e9);
            meta.put("input_args", inputArgs);
            meta.put("time", Instant.now().toEpochMilli() / 1e3);
            meta.put("function", functionId);
            meta.put("key", key);
            Files.writeString(staging.resolve(METADATA), MetadataJson.write(meta), StandardCharsets.UTF_8);
            long size = Files.size(staging.resolve(OUTPUT)) + Files.size(staging.resolve(METADATA));
            for (int attempt = 0; ; attempt++) {
                Files.createDirectories(target.getParent());
                try {
                    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                    published = true;
                    return size;
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IOException("cannot publish cache entry " + target + " atomically: " + e.getMessage(), e);
                } catch (NoSuchFileException e) {
                    // the function's directory was cleared between createDirectories and the move: try again
                    if (attempt >= 3) {
                        throw e;
                    }
                } catch (FileSystemException e) {
                    // EEXIST/ENOTEMPTY (sometimes reported generically): another writer published first (keep
                    // theirs, when it is complete), or it did and the entry was evicted again before we looked (try
                    // to publish ours once more). An entry without a readable output is replaced.
                    if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS) && isRegularFile(target.resolve(OUTPUT))) {
                        return size;
                    }
                    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                        replaceBroken(target);
                    }
                    if (attempt >= 3) {
                        throw e;
                    }
                }
            }
        } finally {
            if (!published) {
                deleteTree(staging);
            }
        }
    }

    /** Moves aside an entry whose output is missing or not a regular file, saying so; the caller then publishes. */
    private void replaceBroken(Path target) throws IOException {
        Path out = target.resolve(OUTPUT);
        String what = !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)
                ? "the entry is not a directory"
                : Files.isSymbolicLink(out)
                        ? "its output is a symbolic link (not followed)"
                        : Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS)
                                ? "its output is a directory"
                                : Files.exists(out, LinkOption.NOFOLLOW_LINKS)
                                        ? "its output is not a regular file"
                                        : "its output is missing";
        Path trash = root.resolve(TRASH).resolve(UUID.randomUUID().toString());
        Files.createDirectories(trash.getParent());
        try {
            Files.move(target, trash, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return; // removed meanwhile
        } catch (IOException e) {
            Messages.warn("[Memory] Cache entry " + target + " cannot be used (" + what + ") and could not be "
                    + "replaced: " + e);
            throw e;
        }
        try {
            deleteTree(trash);
            Messages.warn("[Memory] Cache entry " + target + " could not be read (" + what + "): replaced it");
        } catch (IOException e) {
            Messages.warn("[Memory] Cache entry " + target + " could not be read (" + what + "): replaced it; the old "
                    + "entry, moved to " + trash + ", could not be deleted: " + e);
        }
    }

    @Override
    public boolean remove(String functionId, String key) throws IOException {
        return discard(entryDir(functionId, key));
    }

    /**
     * Removes the function's entries and code record, and its directory once empty; files and directories in it
     * that the store did not write stay.
     */
    @Override
    public void clear(String functionId) throws IOException {
        Path fdir = root.resolve(checkName(functionId, "function id"));
        if (!isDirectory(fdir)) {
            return;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(fdir)) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                if (isEntry(d)) {
                    discard(d);
                } else if (name.equals(CODE_RECORD) || name.startsWith("." + CODE_RECORD + ".")) {
                    if (isRegularFile(d)) {
                        Files.deleteIfExists(d);
                    }
                }
            }
        } catch (NoSuchFileException e) {
            return;
        }
        try {
            Files.deleteIfExists(fdir);
        } catch (DirectoryNotEmptyException e) {
            // holds files the store did not write (or an entry published meanwhile): left in place
        }
    }

    /**
     * Removes every entry and code record (see {@link #clear(String)}) and the store's trash; the marker stays.
     *
     * @throws IOException naming the directory when {@code location/joblib4j} is not a joblib4j store
     */
    @Override
    public void clear() throws IOException {
        for (String f : functions()) {
            clear(f);
        }
        deleteTree(root.resolve(TRASH));
    }

    /** Moves {@code dir} to the trash (atomic), then deletes it; true when it existed. */
    private boolean discard(Path dir) throws IOException {
        Path trash = root.resolve(TRASH).resolve(UUID.randomUUID().toString());
        Files.createDirectories(trash.getParent());
        try {
            Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return false;
        }
        deleteTree(trash);
        return true;
    }

    /**
     * The functions of the store: directories holding a code record or an entry.
     *
     * @throws IOException naming the directory when {@code location/joblib4j} exists but is not a joblib4j store
     */
    @Override
    public List<String> functions() throws IOException {
        List<String> out = new ArrayList<>();
        if (!checkStore()) {
            return out;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path d : dirs) {
                if (isFunction(d)) {
                    out.add(d.getFileName().toString());
                }
            }
        } catch (NoSuchFileException e) {
            return out;
        }
        out.sort(null);
        return out;
    }

    @Override
    public List<CacheEntry> entries(String functionId) throws IOException {
        List<CacheEntry> out = new ArrayList<>();
        Path fdir = root.resolve(checkName(functionId, "function id"));
        if (!isDirectory(fdir)) {
            return out;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(fdir, FileSystemStore::isEntry)) {
            for (Path d : dirs) {
                try {
                    CacheEntry e = readEntry(functionId, d.getFileName().toString(), d);
                    if (e != null) {
                        out.add(e);
                    }
                } catch (IOException e) {
                    // an entry whose metadata cannot be read still counts, with what the file system knows
                    out.add(fromAttributes(functionId, d));
                }
            }
        } catch (NoSuchFileException e) {
            return out;
        }
        return out;
    }

    /** Entries from file attributes only (no metadata read): what automatic eviction needs. */
    @Override
    public List<CacheEntry> usage(String functionId) throws IOException {
        List<CacheEntry> out = new ArrayList<>();
        Path fdir = root.resolve(checkName(functionId, "function id"));
        if (!isDirectory(fdir)) {
            return out;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(fdir, FileSystemStore::isEntry)) {
            for (Path d : dirs) {
                out.add(fromAttributes(functionId, d));
            }
        } catch (NoSuchFileException e) {
            return out;
        }
        return out;
    }

    private CacheEntry fromAttributes(String functionId, Path d) {
        try {
            BasicFileAttributes a = Files.readAttributes(d, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            long size = sizeOf(d);
            return new CacheEntry(
                    functionId,
                    d.getFileName().toString(),
                    a.lastModifiedTime().toInstant(),
                    a.lastModifiedTime().toInstant(),
                    Duration.ZERO,
                    size,
                    Map.of());
        } catch (IOException e) {
            return new CacheEntry(
                    functionId, d.getFileName().toString(), Instant.EPOCH, Instant.EPOCH, Duration.ZERO, 0, Map.of());
        }
    }

    @Override
    public @Nullable String codeRecord(String functionId) throws IOException {
        Path record = root.resolve(checkName(functionId, "function id")).resolve(CODE_RECORD);
        if (!isDirectory(record.getParent()) || !isRegularFile(record)) {
            return null;
        }
        try {
            return Files.readString(record);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public void writeCodeRecord(String functionId, String record) throws IOException {
        Path fdir = root.resolve(checkName(functionId, "function id"));
        ensureMarked();
        Files.createDirectories(fdir);
        Path tmp = fdir.resolve("." + CODE_RECORD + "." + UUID.randomUUID());
        try {
            Files.writeString(tmp, record, StandardCharsets.UTF_8);
            Files.move(
                    tmp,
                    fdir.resolve(CODE_RECORD),
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Deletes staging directories of dead writers and old trash, once per store instance. */
    private void sweepOnce() {
        if (!swept.compareAndSet(false, true)) {
            return;
        }
        Instant staleBefore = Instant.now().minus(STALE);
        String host = host();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root.resolve(STAGING))) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                boolean stale = Files.getLastModifiedTime(d).toInstant().isBefore(staleBefore);
                if (!stale && name.startsWith(host + "-")) {
                    String rest = name.substring(host.length() + 1);
                    int dash = rest.indexOf('-');
                    try {
                        long pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                        stale = pid != ProcessHandle.current().pid()
                                && ProcessHandle.of(pid).isEmpty();
                    } catch (NumberFormatException e) {
                        stale = false;
                    }
                }
                if (stale) {
                    deleteTree(d);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // nothing to sweep, or not allowed to: leftovers only cost space
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root.resolve(TRASH))) {
            for (Path d : dirs) {
                if (Files.getLastModifiedTime(d)
                        .toInstant()
                        .isBefore(Instant.now().minus(Duration.ofMinutes(10)))) {
                    deleteTree(d);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // as above
        }
    }

    private static volatile @Nullable String hostName;

    private static String host() {
        String h = hostName;
        if (h == null) {
            try {
                h = InetAddress.getLocalHost().getHostName();
            } catch (IOException | RuntimeException e) {
                h = "localhost";
            }
            h = h.replaceAll("[^A-Za-z0-9.]", "_");
            hostName = h;
        }
        return h;
    }

    /** Deletes a directory tree, tolerating files that vanish meanwhile (another process deleting the same tree). */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw exc;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null && !(exc instanceof NoSuchFileException)) {
                    throw exc;
                }
                try {
                    Files.deleteIfExists(d);
                } catch (DirectoryNotEmptyException e) {
                    // someone is still writing into it; leave it
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
