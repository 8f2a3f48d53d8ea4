package io.joblib4j.memory;

import io.joblib4j.internal.Json;
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
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
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

/**
 * The file-system {@link StoreBackend}: one directory per entry, published by an atomic rename, no locks.
 *
 * <pre>
 * location/joblib4j/
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
 */
final class FileSystemStore implements StoreBackend {
    static final String ROOT = "joblib4j";
    static final String OUTPUT = "output";
    static final String METADATA = "metadata.json";
    static final String CODE_RECORD = "func_code.json";
    private static final String STAGING = ".staging";
    private static final String TRASH = ".trash";
    private static final Duration STALE = Duration.ofDays(1);

    private final Path location;
    private final Path root;
    private final AtomicBoolean swept = new AtomicBoolean();

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
    public Path output(String functionId, String key) {
        Path out = entryDir(functionId, key).resolve(OUTPUT);
        return Files.isRegularFile(out) ? out : null;
    }

    @Override
    public CacheEntry entry(String functionId, String key) throws IOException {
        return readEntry(functionId, key, entryDir(functionId, key));
    }

    private CacheEntry readEntry(String functionId, String key, Path dir) throws IOException {
        BasicFileAttributes dirAttrs;
        String text;
        long size = 0;
        try {
            dirAttrs = Files.readAttributes(dir, BasicFileAttributes.class);
            text = Files.readString(dir.resolve(METADATA), StandardCharsets.UTF_8);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path f : files) {
                    size += Files.size(f);
                }
            }
        } catch (NoSuchFileException e) {
            return null;
        }
        Map<String, Object> json;
        try {
            json = Json.parseObject(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(dir.resolve(METADATA) + ": unreadable metadata: " + e.getMessage(), e);
        }
        Instant created = json.get("time") instanceof Number n ? toInstant(n.doubleValue())
                : dirAttrs.creationTime().toInstant();
        Duration duration = json.get("duration") instanceof Number n ? Duration.ofNanos((long) (n.doubleValue() * 1e9))
                : Duration.ZERO;
        Map<String, String> args = new LinkedHashMap<>();
        if (json.get("input_args") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> args.put(String.valueOf(k), String.valueOf(v)));
        }
        return new CacheEntry(functionId, key, created, dirAttrs.lastModifiedTime().toInstant(), duration, size, args);
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

    @Override
    public long put(String functionId, String key, OutputWriter writer, Duration duration,
                    Map<String, String> inputArgs) throws IOException {
        Path target = entryDir(functionId, key);
        sweepOnce();
        Path staging = root.resolve(STAGING).resolve(host() + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID());
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
            Files.writeString(staging.resolve(METADATA), Json.write(meta), StandardCharsets.UTF_8);
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
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                    return size; // another writer published this entry first: theirs stays
                } catch (FileSystemException e) {
                    // ENOTEMPTY is reported generically: another writer published first (keep theirs), or it did
                    // and the entry was evicted again before we looked (try to publish ours once more).
                    if (Files.isDirectory(target)) {
                        return size;
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

    @Override
    public boolean remove(String functionId, String key) throws IOException {
        return discard(entryDir(functionId, key));
    }

    @Override
    public void clear(String functionId) throws IOException {
        discard(root.resolve(checkName(functionId, "function id")));
    }

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

    @Override
    public List<String> functions() throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                if (!name.startsWith(".") && Files.isDirectory(d)) {
                    out.add(name);
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
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(fdir, Files::isDirectory)) {
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
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(fdir, Files::isDirectory)) {
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
            BasicFileAttributes a = Files.readAttributes(d, BasicFileAttributes.class);
            long size = 0;
            try (DirectoryStream<Path> files = Files.newDirectoryStream(d)) {
                for (Path f : files) {
                    size += Files.size(f);
                }
            }
            return new CacheEntry(functionId, d.getFileName().toString(), a.lastModifiedTime().toInstant(),
                    a.lastModifiedTime().toInstant(), Duration.ZERO, size, Map.of());
        } catch (IOException e) {
            return new CacheEntry(functionId, d.getFileName().toString(), Instant.EPOCH, Instant.EPOCH,
                    Duration.ZERO, 0, Map.of());
        }
    }

    @Override
    public String codeRecord(String functionId) throws IOException {
        try {
            return Files.readString(root.resolve(checkName(functionId, "function id")).resolve(CODE_RECORD));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public void writeCodeRecord(String functionId, String record) throws IOException {
        Path fdir = root.resolve(checkName(functionId, "function id"));
        Files.createDirectories(fdir);
        Path tmp = fdir.resolve("." + CODE_RECORD + "." + UUID.randomUUID());
        try {
            Files.writeString(tmp, record, StandardCharsets.UTF_8);
            Files.move(tmp, fdir.resolve(CODE_RECORD), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
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
                        stale = pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty();
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
                if (Files.getLastModifiedTime(d).toInstant().isBefore(Instant.now().minus(Duration.ofMinutes(10)))) {
                    deleteTree(d);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // as above
        }
    }

    private static volatile String hostName;

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
