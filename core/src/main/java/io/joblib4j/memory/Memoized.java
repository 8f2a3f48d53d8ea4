package io.joblib4j.memory;

import io.joblib4j.array.MmapMode;
import io.joblib4j.internal.CodeVersions;
import io.joblib4j.internal.CodeVersions.CodeVersion;
import io.joblib4j.internal.Describe;
import io.joblib4j.internal.FunctionIdentity;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The engine behind every cached function kind: identity, code version, key, lookup, call, store, messages.
 * Immutable apart from lazily computed, JVM-local state; copies made by {@code ignoring}/{@code validatedBy}/
 * {@code mmapMode} share nothing mutable.
 */
final class Memoized implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String KEY_FORMAT = "joblib4j-memory-key-1";

    /** Functions whose code record was checked in this JVM: location + function id + code version. */
    private static final Set<String> CHECKED = ConcurrentHashMap.newKeySet();

    /** The first code version seen in this JVM for each location + function id, to notice name collisions. */
    private static final Map<String, String> VERSIONS_SEEN = new ConcurrentHashMap<>();

    /** Calls the underlying function with the explicit arguments. */
    @FunctionalInterface
    interface Invoker {
        Object invoke(Object[] args);
    }

    final Memory memory;
    final Serializable function;
    private final @Nullable String explicitName;
    private final int arity;
    private final String samName;
    private final String samDescriptor;
    private final int[] ignored;
    final @Nullable CacheValidation validation;
    private final @Nullable MmapMode mmapMode;
    private final boolean mmapModeSet;

    private transient volatile @Nullable FunctionIdentity identity;
    private transient volatile @Nullable CodeVersion codeVersion;
    /** The store whose code record this function checked (then in {@link #CHECKED}): later calls skip the lookup. */
    private transient volatile @Nullable StoreBackend checkedStore;

    Memoized(
            Memory memory,
            Serializable function,
            @Nullable String explicitName,
            int arity,
            String samName,
            String samDescriptor) {
        this(memory, function, explicitName, arity, samName, samDescriptor, new int[0], null, null, false);
    }

    private Memoized(
            Memory memory,
            Serializable function,
            @Nullable String explicitName,
            int arity,
            String samName,
            String samDescriptor,
            int[] ignored,
            @Nullable CacheValidation validation,
            @Nullable MmapMode mmapMode,
            boolean mmapModeSet) {
        this.memory = Objects.requireNonNull(memory, "memory");
        this.function = Objects.requireNonNull(function, "function");
        this.explicitName = explicitName;
        this.arity = arity;
        this.samName = samName;
        this.samDescriptor = samDescriptor;
        this.ignored = ignored;
        this.validation = validation;
        this.mmapMode = mmapMode;
        this.mmapModeSet = mmapModeSet;
        if (explicitName != null) {
            FunctionIdentity.sanitize(explicitName);
        }
    }

    Memoized ignoringNames(String... names) {
        List<String> params = identity().parameters();
        int[] positions = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            int p = params.indexOf(names[i]);
            if (p < 0) {
                throw new IllegalArgumentException(
                        "cannot ignore \"" + names[i] + "\": " + identity().displayName() + " has the parameters "
                                + params + " (compile with -parameters to get their source names)");
            }
            positions[i] = p;
        }
        return ignoringPositions(positions);
    }

    Memoized ignoringPositions(int... positions) {
        int[] all = Arrays.copyOf(ignored, ignored.length + positions.length);
        for (int i = 0; i < positions.length; i++) {
            if (positions[i] < 0 || positions[i] >= arity) {
                throw new IllegalArgumentException("cannot ignore argument " + positions[i] + ": the function takes "
                        + arity + " argument" + (arity == 1 ? "" : "s") + " (positions 0.." + (arity - 1) + ")");
            }
            all[ignored.length + i] = positions[i];
        }
        return new Memoized(
                memory,
                function,
                explicitName,
                arity,
                samName,
                samDescriptor,
                Arrays.stream(all).distinct().sorted().toArray(),
                validation,
                mmapMode,
                mmapModeSet);
    }

    Memoized validatedBy(CacheValidation v) {
        return new Memoized(
                memory,
                function,
                explicitName,
                arity,
                samName,
                samDescriptor,
                ignored,
                Objects.requireNonNull(v, "validation"),
                mmapMode,
                mmapModeSet);
    }

    Memoized mmapMode(MmapMode mode) {
        return new Memoized(
                memory, function, explicitName, arity, samName, samDescriptor, ignored, validation, mode, true);
    }

    @Nullable
    MmapMode effectiveMmapMode() {
        return mmapModeSet ? mmapMode : memory.mmapMode();
    }

    /**
     * The mmap mode results are loaded with: the effective one, except with compression, whose files cannot be
     * mapped: then null, and one warning per function and location instead of one per load.
     */
    private @Nullable MmapMode loadMmapMode() {
        MmapMode mode = effectiveMmapMode();
        if (mode != null
                && memory.compression() != null
                && !memory.compression().isNone()) {
            Messages.warnOnce(
                    memory.locationText() + "\u0000" + functionId() + "\u0000mmap-compressed",
                    "[Memory] " + identity().displayName() + ": results are stored compressed (" + memory.compression()
                            + "), so they load onto the heap: mmapMode " + mode + " is ignored");
            return null;
        }
        return mode;
    }

    FunctionIdentity identity() {
        FunctionIdentity id = identity;
        if (id == null) {
            id = FunctionIdentity.of(function, explicitName, arity, samName, samDescriptor);
            identity = id;
        }
        return id;
    }

    CodeVersion codeVersion() {
        CodeVersion v = codeVersion;
        if (v == null) {
            FunctionIdentity id = identity();
            v = CodeVersions.of(id.loader(), id.owner(), id.method(), id.descriptor());
            codeVersion = v;
        }
        return v;
    }

    String functionId() {
        return identity().id();
    }

    /** The key of a call: code version, captured values and the arguments not ignored. */
    String key(Object[] args) {
        List<Object> kept = new ArrayList<>(args.length);
        for (int i = 0; i < args.length; i++) {
            if (Arrays.binarySearch(ignored, i) < 0) {
                kept.add(args[i]);
            }
        }
        List<Object> material = new ArrayList<>(4);
        material.add(KEY_FORMAT);
        material.add(codeVersion().hash());
        material.add(new ArrayList<>(identity().captured()));
        material.add(kept);
        try {
            return ResultCodec.hash(material);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "cannot compute the cache key of "
                            + Describe.call(identity().displayName(), args)
                            + " (the arguments and captured values must be "
                            + "hashable by content): " + e.getMessage(),
                    e);
        }
    }

    private Map<String, String> describeArgs(Object[] args) {
        List<String> names = identity().parameters();
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (Arrays.binarySearch(ignored, i) < 0) {
                out.put(i < names.size() ? names.get(i) : "arg" + i, Describe.value(args[i]));
            }
        }
        return out;
    }

    /** Checks the stored code record once per JVM; a different version drops the function's old entries. */
    private void checkCodeRecord(StoreBackend store) {
        if (checkedStore == store) {
            return;
        }
        String fid = functionId();
        CodeVersion v = codeVersion();
        String marker = store.location() + "\u0000" + fid + "\u0000" + v.hash();
        if (CHECKED.contains(marker)) {
            checkedStore = store;
            return;
        }
        String before = VERSIONS_SEEN.putIfAbsent(store.location() + "\u0000" + fid, v.hash());
        if (before != null && !before.equals(v.hash())) {
            Messages.warnOnce(
                    fid + "\u0000collision",
                    "[Memory] Possible name collision: two different functions "
                            + "are cached as " + fid + " in " + store.location()
                            + "; they will keep clearing each other's "
                            + "entries. Give them distinct names with memory.cache(name, fn)");
        }
        try {
            String record = store.codeRecord(fid);
            String stored = null;
            if (record != null) {
                try {
                    stored = String.valueOf(MetadataJson.parseObject(record).get("code_version"));
                } catch (IllegalArgumentException e) {
                    stored = null;
                }
            }
            if (stored == null || !stored.equals(v.hash())) {
                if (record != null) {
                    if (memory.verbose() >= 1) {
                        Messages.warn("[Memory] Function " + identity().displayName() + " (identified by " + fid
                                + ") has changed: clearing its cache in " + store.location());
                    }
                    store.clear(fid);
                }
                store.writeCodeRecord(fid, codeRecordText(v));
            }
            CHECKED.add(marker);
            checkedStore = store;
        } catch (IOException | RuntimeException e) {
            // Entries are keyed by the code version, so a stale record never yields a wrong result: say so and go on.
            Messages.warnOnce(
                    fid + "\u0000code",
                    "[Memory] Could not check the code record of " + fid + " in " + store.location() + ": " + e
                            + " (results stay correct: keys include the code version)");
        }
    }

    private String codeRecordText(CodeVersion v) {
        FunctionIdentity id = identity();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("function", id.id());
        m.put("implementation", id.owner().replace('/', '.') + "." + id.method() + " " + id.descriptor());
        m.put("parameters", id.parameters());
        m.put("code_version", v.hash());
        m.put("complete", v.complete());
        m.put("methods", v.methods());
        m.put("java_version", Runtime.version().toString());
        m.put("time", Instant.now().toEpochMilli() / 1e3);
        return MetadataJson.write(m);
    }

    /** A call through the cache: the cached result when there is a valid one, else the function's, stored. */
    Object call(Object[] args, Invoker invoker) {
        StoreBackend store = memory.storeOrNull();
        if (store == null) {
            return invoker.invoke(args);
        }
        checkCodeRecord(store);
        String fid = functionId();
        String key = key(args);
        MmapMode mmap = loadMmapMode();
        boolean observed = CacheEvents.wanted();
        long t0 = observed ? System.nanoTime() : 0;
        Loaded hit = lookup(store, fid, key, args, mmap);
        if (hit != null) {
            if (observed) {
                observeHit(store, fid, key, hit, t0);
            }
            return hit.value;
        }
        Flight flight = join(store, fid, key);
        if (flight.waited()) {
            t0 = observed ? System.nanoTime() : 0;
            hit = lookup(store, fid, key, args, mmap);
            if (hit != null) {
                if (observed) {
                    observeHit(store, fid, key, hit, t0);
                }
                return hit.value;
            }
        }
        Computed c;
        try {
            c = compute(store, fid, key, args, invoker);
        } finally {
            flight.land();
        }
        if (observed) {
            CacheEvents.miss(memory, store.location(), fid, key, c.stored ? c.bytes : -1, c.duration.toNanos());
        }
        if (c.stored && mmap != null) {
            // Like joblib: with mmap, also the first call returns the result mapped from the store.
            try {
                Path out = store.output(fid, key);
                if (out != null) {
                    return ResultCodec.load(out, memory.loadOptions(mmap));
                }
            } catch (IOException | RuntimeException e) {
                return c.value;
            }
        }
        return c.value;
    }

    /**
     * joblib's {@code MemorizedFunc.call}: always calls the function, stores the result (replacing an entry stored
     * for the same call) and returns it with the entry's metadata.
     */
    <R> CallOutput<R> forceCall(Object[] args, Invoker invoker) {
        StoreBackend store = memory.storeOrNull();
        if (store == null) {
            long t0 = System.nanoTime();
            Object v = invoker.invoke(args);
            Duration d = Duration.ofNanos(System.nanoTime() - t0);
            Instant now = Instant.now();
            return CallOutput.of(v, new CacheEntry(functionId(), "", now, now, d, 0, describeArgs(args)));
        }
        checkCodeRecord(store);
        String fid = functionId();
        String key = key(args);
        Flight flight = join(store, fid, key);
        Computed c;
        try {
            c = compute(store, fid, key, args, invoker, true);
        } finally {
            flight.land();
        }
        if (CacheEvents.wanted()) { // a forced call is always a miss: the function ran and its result was stored
            CacheEvents.miss(memory, store.location(), fid, key, c.stored ? c.bytes : -1, c.duration.toNanos());
        }
        CacheEntry entry = null;
        if (c.stored) {
            try {
                entry = store.entry(fid, key);
            } catch (IOException | RuntimeException e) {
                entry = null;
            }
        }
        if (entry == null) {
            Instant now = Instant.now();
            entry = new CacheEntry(fid, key, now, now, c.duration, 0, describeArgs(args));
        }
        return CallOutput.of(c.value, entry);
    }

    /** The shelved form of a call: a reference to the stored result (loaded by {@code get}). */
    <R> CachedResult<R> shelve(Object[] args, Invoker invoker) {
        StoreBackend store = memory.storeOrNull();
        if (store == null) {
            long t0 = System.nanoTime();
            Object v = invoker.invoke(args);
            return CachedResult.inMemory(this, v, Duration.ofNanos(System.nanoTime() - t0));
        }
        checkCodeRecord(store);
        String fid = functionId();
        String key = key(args);
        boolean observed = CacheEvents.wanted();
        long t0 = observed ? System.nanoTime() : 0;
        CacheEntry entry = null;
        try {
            if (store.output(fid, key) != null) {
                entry = store.entry(fid, key);
                if (entry != null && validation != null && !validation.isValid(entry)) {
                    store.remove(fid, key);
                    entry = null;
                }
            }
        } catch (IOException e) {
            entry = null;
        }
        if (entry != null) {
            touch(store, fid, key);
            if (observed) {
                observeShelvedHit(store, fid, key, t0);
            }
            return CachedResult.stored(this, Describe.call(identity().displayName(), args), fid, key, entry.duration());
        }
        Flight flight = join(store, fid, key);
        if (flight.waited()) {
            try {
                t0 = observed ? System.nanoTime() : 0;
                CacheEntry e = store.output(fid, key) != null ? store.entry(fid, key) : null;
                if (e != null) {
                    if (observed) {
                        observeShelvedHit(store, fid, key, t0);
                    }
                    return CachedResult.stored(
                            this, Describe.call(identity().displayName(), args), fid, key, e.duration());
                }
            } catch (IOException e) {
                // compute it ourselves
            }
        }
        Computed c;
        try {
            c = compute(store, fid, key, args, invoker);
        } finally {
            flight.land();
        }
        if (observed) {
            CacheEvents.miss(memory, store.location(), fid, key, c.stored ? c.bytes : -1, c.duration.toNanos());
        }
        if (!c.stored) {
            return CachedResult.inMemory(this, c.value, c.duration);
        }
        return CachedResult.stored(this, Describe.call(identity().displayName(), args), fid, key, c.duration);
    }

    boolean isCached(Object[] args) {
        StoreBackend store = memory.storeOrNull();
        if (store == null) {
            return false;
        }
        String fid = functionId();
        String key = key(args);
        try {
            if (store.output(fid, key) == null) {
                return false;
            }
            if (validation == null) {
                return true;
            }
            CacheEntry entry = store.entry(fid, key);
            return entry != null && validation.isValid(entry); // what a call would do: a rejected entry is recomputed
        } catch (IOException e) {
            return false;
        }
    }

    void clear() {
        StoreBackend store = memory.storeOrNull();
        if (store == null) {
            return;
        }
        String fid = functionId();
        if (memory.verbose() >= 1) {
            Messages.warn("[Memory] Clearing function cache identified by " + fid);
        }
        try {
            store.clear(fid);
            store.writeCodeRecord(fid, codeRecordText(codeVersion())); // as joblib: the record stays after a clear
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot clear the cache of " + fid + " in " + store.location() + ": " + e.getMessage(), e);
        }
    }

    /** Calls being computed in this JVM, so that threads missing the same key wait for one computation. */
    private static final ConcurrentHashMap<String, InFlight> IN_FLIGHT = new ConcurrentHashMap<>();

    private record InFlight(Thread owner, java.util.concurrent.CompletableFuture<Void> done) {}

    /** This thread's part in a computation of a key: its owner (lands it when done) or a waiter that already waited. */
    private record Flight(String name, @Nullable InFlight mine, boolean waited) {
        void land() {
            if (mine != null) {
                IN_FLIGHT.remove(name, mine);
                mine.done().complete(null);
            }
        }
    }

    /**
     * Registers this thread as computing (store, fid, key), or, when another thread of this JVM already is, waits
     * for it to finish (then the caller looks again). A thread never waits for itself (a function calling itself
     * with the same arguments) and stops waiting when interrupted. Other JVMs are not coordinated: both compute.
     */
    private static Flight join(StoreBackend store, String fid, String key) {
        String name = store.location() + "\u0000" + fid + "\u0000" + key;
        InFlight mine = new InFlight(Thread.currentThread(), new java.util.concurrent.CompletableFuture<>());
        InFlight other = IN_FLIGHT.putIfAbsent(name, mine);
        if (other == null) {
            return new Flight(name, mine, false);
        }
        if (other.owner() == Thread.currentThread()) {
            return new Flight(name, null, false);
        }
        try {
            other.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            // never completed exceptionally
        }
        return new Flight(name, null, true);
    }

    private record Loaded(Object value, Path file) {}

    private record Computed(Object value, Duration duration, boolean stored, long bytes) {}

    /**
     * A hit of {@code callAndShelve}: the entry was found and nothing was loaded (the result is loaded by
     * {@code get()}), so the duration is the lookup's and the bytes are the stored output's.
     */
    private void observeShelvedHit(StoreBackend store, String fid, String key, long t0) {
        long nanos = System.nanoTime() - t0;
        long bytes;
        try {
            Path out = store.output(fid, key);
            bytes = out == null ? -1 : java.nio.file.Files.size(out);
        } catch (IOException | RuntimeException e) {
            bytes = -1;
        }
        CacheEvents.hit(memory, store.location(), fid, key, bytes, nanos);
    }

    private void observeHit(StoreBackend store, String fid, String key, Loaded hit, long t0) {
        long nanos = System.nanoTime() - t0;
        long bytes;
        try {
            bytes = java.nio.file.Files.size(hit.file);
        } catch (IOException | RuntimeException e) {
            bytes = -1;
        }
        CacheEvents.hit(memory, store.location(), fid, key, bytes, nanos);
    }

    /**
     * Small results of recent hits in the file-system store, by output file: their bytes, and the file's identity
     * (file key: device and inode; modification time; size) when they were read. A hit whose output file still
     * has that identity (one stat) decodes the bytes kept here instead of opening the file; another process that
     * clears, evicts or replaces the entry changes or removes the file (entries are published by renaming a new
     * directory into place), so the store on disk stays the source of truth. Bounded: emptied when full.
     */
    private static final Map<Path, Recent> RECENT = new ConcurrentHashMap<>();

    static final int RECENT_MAX_ENTRIES = 1024;
    /** Results whose file is larger than this are always read from the file. */
    static final int RECENT_MAX_BYTES = 64 << 10;
    /** A hit served from {@link #RECENT} records the access (for eviction) at most this often per entry. */
    static final long TOUCH_INTERVAL_NANOS = 1_000_000_000L;

    // never compared or hashed: the bytes are the entry's content, read by index
    @SuppressWarnings("ArrayRecordComponent")
    private record Recent(
            @Nullable Object fileKey,
            java.nio.file.attribute.FileTime modified,
            long size,
            byte[] bytes,
            java.util.concurrent.atomic.AtomicLong touched) {
        boolean matches(java.nio.file.attribute.BasicFileAttributes a) {
            return a.isRegularFile()
                    && a.size() == size
                    && Objects.equals(a.fileKey(), fileKey)
                    && a.lastModifiedTime().equals(modified);
        }
    }

    private static java.nio.file.attribute.BasicFileAttributes attributes(Path p) throws IOException {
        return java.nio.file.Files.readAttributes(
                p, java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /** The result of a recent hit on ({@code fid}, {@code key}) whose file is unchanged, or null. */
    private @Nullable Loaded recentHit(StoreBackend store, String fid, String key, @Nullable MmapMode mmap) {
        if (!(store instanceof FileSystemStore fs) || validation != null || mmap != null || memory.verbose() > 1) {
            return null;
        }
        Path out = fs.outputPath(fid, key);
        Recent r = RECENT.get(out);
        if (r == null) {
            return null;
        }
        try {
            if (!r.matches(attributes(out))) {
                RECENT.remove(out, r);
                return null;
            }
            Object value =
                    io.joblib4j.Joblib.load(new java.io.ByteArrayInputStream(r.bytes()), memory.loadOptions(null));
            long now = System.nanoTime();
            long last = r.touched().get();
            if (now - last >= TOUCH_INTERVAL_NANOS && r.touched().compareAndSet(last, now)) {
                touch(store, fid, key);
            }
            return new Loaded(value, out);
        } catch (IOException | RuntimeException e) {
            RECENT.remove(out, r); // gone or unreadable: the ordinary lookup decides
            return null;
        }
    }

    /** Keeps the bytes of a small result just loaded from {@code out}, with the identity of the file they came from. */
    private void remember(StoreBackend store, Path out, @Nullable MmapMode mmap) {
        if (!(store instanceof FileSystemStore) || validation != null || mmap != null) {
            return;
        }
        try {
            var before = attributes(out);
            if (!before.isRegularFile() || before.size() > RECENT_MAX_BYTES) {
                return;
            }
            byte[] bytes = java.nio.file.Files.readAllBytes(out);
            var after = attributes(out);
            Recent r = new Recent(
                    before.fileKey(),
                    before.lastModifiedTime(),
                    before.size(),
                    bytes,
                    new java.util.concurrent.atomic.AtomicLong(System.nanoTime()));
            if (bytes.length == before.size() && r.matches(after) && before.fileKey() != null) {
                if (RECENT.size() >= RECENT_MAX_ENTRIES) {
                    RECENT.clear();
                }
                RECENT.put(out, r);
            }
        } catch (IOException | RuntimeException e) {
            // only a missed shortcut
        }
    }

    private @Nullable Loaded lookup(
            StoreBackend store, String fid, String key, Object[] args, @Nullable MmapMode mmap) {
        Loaded recent = recentHit(store, fid, key, mmap);
        if (recent != null) {
            return recent;
        }
        Path out;
        try {
            out = store.output(fid, key);
            if (out == null) {
                return null;
            }
            if (validation != null) {
                CacheEntry entry = store.entry(fid, key);
                if (entry == null) {
                    return null;
                }
                if (!validation.isValid(entry)) {
                    if (memory.verbose() > 10) {
                        Messages.print("[Memory] " + Describe.call(identity().displayName(), args)
                                + ": cached result is no longer valid, computing it again");
                    }
                    store.remove(fid, key);
                    return null;
                }
            }
        } catch (IOException e) {
            return null;
        }
        long t0 = System.nanoTime();
        try {
            Object value = ResultCodec.load(out, memory.loadOptions(mmap));
            touch(store, fid, key);
            remember(store, out, mmap);
            if (memory.verbose() > 1) {
                Messages.print(String.format(
                        java.util.Locale.ROOT,
                        "[Memory]%-16s: Loading %s",
                        Messages.formatTime(memory.ageSeconds()),
                        signature(args)));
            }
            if (memory.verbose() > 4) {
                Messages.rule(identity().displayName() + " cache loaded - "
                        + Messages.formatTime((System.nanoTime() - t0) / 1e9));
            }
            return new Loaded(value, out);
        } catch (IOException | RuntimeException e) {
            if (e instanceof NoSuchFileException || !exists(store, fid, key)) {
                return null; // evicted or cleared by someone else meanwhile: a plain miss
            }
            String removal;
            try {
                removal = store.remove(fid, key) ? "removed" : "already gone";
            } catch (IOException | RuntimeException r) {
                removal = "could not be removed: " + r; // the new result will fail to publish too and say so
            }
            Messages.warn("[Memory] Cannot load the cached result of "
                    + Describe.call(identity().displayName(), args) + " from " + out + " (corrupt entry, " + removal
                    + "; computing it again): " + e.getMessage());
            return null;
        }
    }

    private static void touch(StoreBackend store, String fid, String key) {
        try {
            store.touch(fid, key);
        } catch (IOException | RuntimeException e) {
            // last access is advisory
        }
    }

    private static boolean exists(StoreBackend store, String fid, String key) {
        try {
            return store.output(fid, key) != null;
        } catch (IOException e) {
            return false;
        }
    }

    private String signature(Object[] args) {
        StringBuilder sb = new StringBuilder(identity().displayName()).append('(');
        int i = 0;
        for (Map.Entry<String, String> e : describeArgs(args).entrySet()) {
            if (i++ > 0) {
                sb.append(", ");
            }
            sb.append(e.getKey()).append('=').append(e.getValue());
        }
        return sb.append(')').toString();
    }

    private Computed compute(StoreBackend store, String fid, String key, Object[] args, Invoker invoker) {
        return compute(store, fid, key, args, invoker, false);
    }

    /** Calls the function and stores its result; {@code replace}: an entry already stored for the key is replaced. */
    private Computed compute(
            StoreBackend store, String fid, String key, Object[] args, Invoker invoker, boolean replace) {
        FunctionIdentity id = identity();
        if (memory.verbose() >= 1) {
            Messages.print("_".repeat(80) + "\n[Memory] Calling " + id.owner().replace('/', '.') + "."
                    + (explicitName != null ? explicitName : id.method()) + "...\n"
                    + Describe.call(id.displayName(), args));
        }
        long t0 = System.nanoTime();
        Object value = invoker.invoke(args);
        Duration callTime = Duration.ofNanos(System.nanoTime() - t0);
        boolean stored = false;
        long size = -1;
        try {
            if (replace) {
                store.remove(fid, key);
            }
            size = store.put(
                    fid,
                    key,
                    file -> ResultCodec.dump(value, file, memory.compression()),
                    callTime,
                    describeArgs(args));
            stored = true;
            memory.afterStore(size);
        } catch (IOException | RuntimeException e) {
            Messages.warnOnce(
                    fid + "\u0000store\u0000" + e.getClass().getName(),
                    "[Memory] Could not cache the result of " + Describe.call(id.displayName(), args) + " in "
                            + store.location() + ": " + e + "; returning the computed value without caching it");
        }
        if (memory.verbose() >= 1) {
            // as joblib: the time the function took, not counting the store
            Messages.rule(id.displayName() + " - " + Messages.formatTime(callTime.toNanos() / 1e9));
        }
        return new Computed(value, callTime, stored, size);
    }

    Object loadStored(String fid, String key, String call) {
        StoreBackend store = memory.storeOrNull();
        if (store == null) {
            throw new IllegalStateException("the result of " + call + " was not stored");
        }
        Path out;
        try {
            out = store.output(fid, key);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read the cached result of " + call + " from " + store.location() + ": " + e.getMessage(),
                    e);
        }
        if (out == null) {
            throw new UncheckedIOException(
                    "the cached result of " + call + " is no longer in " + store.location() + " (cleared or evicted)",
                    new NoSuchFileException(store.location() + "/" + fid + "/" + key));
        }
        try {
            Object v = ResultCodec.load(out, memory.loadOptions(loadMmapMode()));
            touch(store, fid, key);
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot load the cached result of " + call + " from " + out + " (the entry is corrupt): "
                            + e.getMessage(),
                    e);
        }
    }

    @Override
    public String toString() {
        return "MemorizedFunc(func=" + identity().displayName() + ", location=" + memory.locationText() + ")";
    }
}
