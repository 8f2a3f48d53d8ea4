package io.joblib4j.memory;

import io.joblib4j.SerializableBiFunction;
import io.joblib4j.SerializableFunction;
import io.joblib4j.SerializableSupplier;
import io.joblib4j.array.MmapMode;
import io.joblib4j.internal.ByteSizes;
import io.joblib4j.persist.Compression;
import io.joblib4j.persist.LoadOptions;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * Transparent disk memoization (joblib's {@code Memory}): {@code memory.cache(f)} returns a function that computes
 * each distinct call once, keeps the result in a store, and returns it from there on later calls — in this JVM, in
 * later runs, and in other JVMs sharing the location.
 *
 * {@snippet :
 * Memory memory = Memory.builder().location(Path.of("cachedir")).verbose(0).build();
 * CachedFunction<Integer, Double> slow = memory.cache(Costly::compute);
 * slow.apply(3);   // computed and stored
 * slow.apply(3);   // loaded from cachedir
 * }
 *
 * <p><b>The key</b> of a call is the function's identity, its code version and a content hash of the arguments and
 * of the values a lambda captured. Identity: method references by class and method, lambdas by their
 * implementation method, or the name given to {@link #cache(String, SerializableFunction)}. Code version: a hash of
 * the bytecode of the implementing method and of every method it calls in the application's own classes,
 * transitively, so editing a helper invalidates the results of the functions that call it. When a function's code
 * has changed, its old entries are dropped (once, with a message at verbose &gt;= 1).
 *
 * <p><b>Without a location</b> ({@code Memory.at(null)}, or a builder without location or store) nothing is cached:
 * cached functions call straight through.
 *
 * <p><b>Concurrency.</b> A {@code Memory} and its cached functions are immutable and thread-safe. Entries are
 * published atomically, so any number of threads and JVMs may share one location without locks. Threads of one JVM
 * that miss the same key at the same time wait for a single computation; two JVMs that do both compute it and the
 * first published result stays. A result that cannot be
 * loaded is reported once, removed and recomputed; a result that cannot be stored is still returned, with a message
 * saying why it was not cached.
 *
 * <p><b>Messages</b> (standard error, joblib's format): verbose &gt;= 1 prints each computed call and its duration;
 * &gt; 1 also each load from the cache; 0 prints only warnings about unreadable or unstorable entries.
 */
public final class Memory implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** joblib's default verbosity: computed calls are announced. */
    public static final int DEFAULT_VERBOSE = 1;

    /** How often, at most, {@code bytesLimit} triggers a full scan of the store when the estimate is below it. */
    private static final long RESCAN_NANOS = Duration.ofSeconds(10).toNanos();

    private final @Nullable Path location;
    private final transient @Nullable StoreBackend store;
    private final int verbose;
    private final @Nullable MmapMode mmapMode;
    private final @Nullable Long bytesLimit;
    private final @Nullable Compression compression;
    /**
     * How far a compressed cached result may expand, by default (decompressed bytes per stored byte): far above
     * what any codec reaches on real data, so honest results always load, while a tiny entry that claims gigabytes
     * is still refused as corrupt before anything is allocated. {@link LoadOptions}' own default (100) is for
     * untrusted files.
     */
    public static final double DEFAULT_MAX_EXPANSION_RATIO = 1_000_000;

    private final transient LoadOptions loadOptions;
    private final transient long createdNanos = System.nanoTime();

    private final transient Object evictionLock = new Object();
    private transient long estimatedBytes = -1;
    private transient long lastScanNanos;

    private Memory(Builder b) {
        this.location = b.location;
        this.store = b.store != null ? b.store : b.location != null ? StoreBackend.fileSystem(b.location) : null;
        this.verbose = b.verbose;
        this.mmapMode = b.mmapMode;
        this.bytesLimit = b.bytesLimit;
        this.compression = b.compression;
        // array checksums are not verified on a hit by default: checking an 8 MB result costs more than the load;
        // the cache is trusted storage (its classes are trusted too), so a compressed result of very redundant data
        // (zstd packs a large array of zeros some 30,000 to one) must load, not be refused and recomputed for ever
        this.loadOptions = b.loadOptions != null
                ? b.loadOptions
                : LoadOptions.builder()
                        .trustAllClasses()
                        .verifyChecksums(false)
                        .maxExpansionRatio(DEFAULT_MAX_EXPANSION_RATIO)
                        .build();
    }

    /** A memory caching in {@code location} with default settings; a null location caches nothing. */
    public static Memory at(Path location) {
        return builder().location(location).build();
    }

    /** A builder; without a location or store the memory caches nothing. */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------ cache(...)

    /** Caches a one-argument function, identified by its method (see the class comment). */
    public <T, R> CachedFunction<T, R> cache(SerializableFunction<T, R> fn) {
        return new CachedFunction<>(new Memoized(
                this, Objects.requireNonNull(fn, "fn"), null, 1, "apply", "(Ljava/lang/Object;)Ljava/lang/Object;"));
    }

    /**
     * Caches a one-argument function under an explicit, stable name (its directory in the store), for lambdas
     * whose compiler-given names may change and for functions that must keep their cache across refactorings.
     */
    public <T, R> CachedFunction<T, R> cache(String name, SerializableFunction<T, R> fn) {
        return new CachedFunction<>(new Memoized(
                this,
                Objects.requireNonNull(fn, "fn"),
                requireName(name),
                1,
                "apply",
                "(Ljava/lang/Object;)Ljava/lang/Object;"));
    }

    /** Caches a two-argument function, identified by its method. */
    public <A, B, R> CachedBiFunction<A, B, R> cache(SerializableBiFunction<A, B, R> fn) {
        return new CachedBiFunction<>(new Memoized(
                this,
                Objects.requireNonNull(fn, "fn"),
                null,
                2,
                "apply",
                "(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;"));
    }

    /** Caches a two-argument function under an explicit name. */
    public <A, B, R> CachedBiFunction<A, B, R> cache(String name, SerializableBiFunction<A, B, R> fn) {
        return new CachedBiFunction<>(new Memoized(
                this,
                Objects.requireNonNull(fn, "fn"),
                requireName(name),
                2,
                "apply",
                "(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;"));
    }

    /** Caches a supplier: its one result (per code version and captured values) is computed once. */
    public <R> CachedSupplier<R> cache(SerializableSupplier<R> fn) {
        return new CachedSupplier<>(
                new Memoized(this, Objects.requireNonNull(fn, "fn"), null, 0, "get", "()Ljava/lang/Object;"));
    }

    /** Caches a supplier under an explicit name. */
    public <R> CachedSupplier<R> cache(String name, SerializableSupplier<R> fn) {
        return new CachedSupplier<>(new Memoized(
                this, Objects.requireNonNull(fn, "fn"), requireName(name), 0, "get", "()Ljava/lang/Object;"));
    }

    private static String requireName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(
                    "a cached function's name must be non-empty, got " + (name == null ? "null" : "\"" + name + "\""));
        }
        return name;
    }

    // ------------------------------------------------------------------ whole-store operations

    /**
     * Removes every cached result of every function in this memory's store. The file-system store deletes only what
     * it wrote (entries and code records; its marker file stays), and refuses a {@code location/joblib4j} directory
     * that is not a joblib4j store.
     *
     * @throws UncheckedIOException when the store cannot be cleared, or (naming the directory) is not a store
     */
    public void clear() {
        if (store == null) {
            return;
        }
        if (verbose >= 1) {
            Messages.warn("[Memory(location=" + store.location() + ")]: Flushing completely the cache");
        }
        try {
            store.clear();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear the cache in " + store.location() + ": " + e.getMessage(), e);
        }
        synchronized (evictionLock) {
            estimatedBytes = -1;
        }
    }

    /**
     * Deletes cached results, least recently used first, until every given limit holds (joblib's
     * {@code reduce_size}): at most {@code bytesLimit} bytes in total, at most {@code itemsLimit} entries, and no
     * entry last used longer than {@code ageLimit} ago. A null limit is no limit.
     *
     * @return the entries removed, least recently used first
     * @throws IllegalArgumentException when a limit is negative
     * @throws UncheckedIOException     when the store cannot be listed
     */
    public List<CacheEntry> reduceSize(
            @Nullable Long bytesLimit, @Nullable Integer itemsLimit, @Nullable Duration ageLimit) {
        if (bytesLimit != null && bytesLimit < 0) {
            throw new IllegalArgumentException("bytesLimit must be >= 0, got " + bytesLimit);
        }
        if (itemsLimit != null && itemsLimit < 0) {
            throw new IllegalArgumentException("itemsLimit must be >= 0, got " + itemsLimit);
        }
        if (ageLimit != null && ageLimit.isNegative()) {
            throw new IllegalArgumentException("ageLimit must be a duration >= 0, got " + ageLimit);
        }
        if (store == null) {
            return List.of();
        }
        try {
            return evict(store, bytesLimit, itemsLimit, ageLimit, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reduce the cache in " + store.location() + ": " + e.getMessage(), e);
        }
    }

    /** {@link #reduceSize(Long, Integer, Duration)} with a byte limit written like {@code "2G"}. */
    public List<CacheEntry> reduceSize(String bytesLimit) {
        return reduceSize(ByteSizes.parse(bytesLimit), null, null);
    }

    /** Every entry of every function in the store, least recently used first; empty without a store. */
    public List<CacheEntry> entries() {
        if (store == null) {
            return List.of();
        }
        try {
            return allEntries(store);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the cache in " + store.location() + ": " + e.getMessage(), e);
        }
    }

    private static List<CacheEntry> allEntries(StoreBackend store) throws IOException {
        return allEntries(store, false);
    }

    private static List<CacheEntry> allEntries(StoreBackend store, boolean usageOnly) throws IOException {
        List<CacheEntry> all = new ArrayList<>();
        for (String f : store.functions()) {
            all.addAll(usageOnly ? store.usage(f) : store.entries(f));
        }
        all.sort(Comparator.comparing(CacheEntry::lastAccess)
                .thenComparing(CacheEntry::functionId)
                .thenComparing(CacheEntry::key));
        return all;
    }

    private List<CacheEntry> evict(
            StoreBackend s,
            @Nullable Long maxBytes,
            @Nullable Integer maxItems,
            @Nullable Duration maxAge,
            boolean usageOnly)
            throws IOException {
        List<CacheEntry> all = allEntries(s, usageOnly);
        long total = 0;
        for (CacheEntry e : all) {
            total += e.sizeBytes();
        }
        int count = all.size();
        Instant oldest = maxAge == null ? null : Instant.now().minus(maxAge);
        List<CacheEntry> removed = new ArrayList<>();
        for (CacheEntry e : all) {
            boolean over = (maxBytes != null && total > maxBytes)
                    || (maxItems != null && count > maxItems)
                    || (oldest != null && e.lastAccess().isBefore(oldest));
            if (!over) {
                if (oldest == null) {
                    break;
                }
                continue;
            }
            s.remove(e.functionId(), e.key());
            removed.add(e);
            total -= e.sizeBytes();
            count--;
        }
        synchronized (evictionLock) {
            estimatedBytes = total;
            lastScanNanos = System.nanoTime();
        }
        return removed;
    }

    /** After a store: keeps the store under {@code bytesLimit}, scanning it when the running estimate says so. */
    void afterStore(long entryBytes) {
        if (bytesLimit == null || store == null) {
            return;
        }
        boolean scan;
        synchronized (evictionLock) {
            if (estimatedBytes >= 0) {
                estimatedBytes += entryBytes;
            }
            scan = estimatedBytes < 0
                    || estimatedBytes > bytesLimit
                    || System.nanoTime() - lastScanNanos > RESCAN_NANOS;
            if (scan) {
                lastScanNanos = System.nanoTime();
            }
        }
        if (scan) {
            try {
                List<CacheEntry> removed = evict(store, bytesLimit, null, null, true);
                if (verbose > 1 && !removed.isEmpty()) {
                    Messages.print("[Memory] bytesLimit " + ByteSizes.format(bytesLimit) + ": removed " + removed.size()
                            + " least recently used entr" + (removed.size() == 1 ? "y" : "ies"));
                }
            } catch (IOException | RuntimeException e) {
                Messages.warnOnce(
                        "evict\u0000" + store.location(),
                        "[Memory] Could not enforce bytesLimit in " + store.location() + ": " + e);
            }
        }
    }

    // ------------------------------------------------------------------ accessors

    /** The location given to the builder, if any. */
    public Optional<Path> location() {
        return Optional.ofNullable(location);
    }

    /** The store results go to; empty when this memory caches nothing. */
    public Optional<StoreBackend> store() {
        return Optional.ofNullable(store);
    }

    /** Whether calls are cached at all (a location or a store was given). */
    public boolean isEnabled() {
        return store != null;
    }

    /** The verbosity of messages (0 = warnings only). */
    public int verbose() {
        return verbose;
    }

    /** How cached results holding arrays are loaded by default, or null for "onto the heap". */
    public @Nullable MmapMode mmapMode() {
        return mmapMode;
    }

    /** The byte limit enforced after stores, if set. */
    public OptionalLong bytesLimit() {
        return bytesLimit == null ? OptionalLong.empty() : OptionalLong.of(bytesLimit);
    }

    @Nullable
    StoreBackend storeOrNull() {
        return store;
    }

    /** How results are compressed when stored, or null for uncompressed. */
    public @Nullable Compression compression() {
        return compression;
    }

    /** The class check results are loaded with (its mmap mode is replaced per function). */
    public LoadOptions loadOptions() {
        return loadOptions;
    }

    LoadOptions loadOptions(@Nullable MmapMode mode) {
        return java.util.Objects.equals(loadOptions.mmapMode(), mode)
                ? loadOptions
                : loadOptions.toBuilder().mmapMode(mode).build();
    }

    double ageSeconds() {
        return (System.nanoTime() - createdNanos) / 1e9;
    }

    String locationText() {
        return store == null ? "None" : store.location();
    }

    @Override
    public String toString() {
        return "Memory(location=" + locationText() + ")";
    }

    // ------------------------------------------------------------------ serialization (for worker JVMs)

    @Serial
    private Object writeReplace() throws ObjectStreamException {
        StoreBackend custom = null;
        if (store != null && !(store instanceof FileSystemStore)) {
            if (!(store instanceof Serializable)) {
                throw new NotSerializableException(
                        "a Memory using " + store.getClass().getName()
                                + " cannot be sent to another JVM: that StoreBackend is not Serializable");
            }
            custom = store;
        }
        return new SerialForm(
                location == null ? null : location.toString(),
                custom,
                verbose,
                mmapMode,
                bytesLimit,
                compression == null ? null : compression.toString(),
                List.copyOf(loadOptions.allowedClasses()),
                List.copyOf(loadOptions.allowedPackages()),
                loadOptions.allowsRecords(),
                loadOptions.trustsAllClasses(),
                loadOptions.verifiesChecksums(),
                loadOptions.maxExpansionRatio(),
                loadOptions.maxExpandedBytes());
    }

    private record SerialForm(
            @Nullable String location,
            @Nullable StoreBackend store,
            int verbose,
            @Nullable MmapMode mmapMode,
            @Nullable Long bytesLimit,
            @Nullable String compression,
            List<String> allowedClasses,
            List<String> allowedPackages,
            boolean allowRecords,
            boolean trustAll,
            boolean verifyChecksums,
            double maxExpansionRatio,
            long maxExpandedBytes)
            implements Serializable {
        @Serial
        private Object readResolve() {
            Builder b = builder().verbose(verbose).mmapMode(mmapMode);
            if (location != null) {
                b.location(Path.of(location));
            }
            if (store != null) {
                b.store(store);
            }
            b.bytesLimit = bytesLimit;
            b.compression = compression == null ? null : Compression.parse(compression);
            LoadOptions.Builder lo = LoadOptions.builder()
                    .allowClassNames(allowedClasses)
                    .allowRecords(allowRecords)
                    .verifyChecksums(verifyChecksums)
                    .maxExpansionRatio(maxExpansionRatio)
                    .maxExpandedBytes(maxExpandedBytes);
            if (!allowedPackages.isEmpty()) {
                lo.allowPackages(allowedPackages.toArray(String[]::new));
            }
            if (trustAll) {
                lo.trustAllClasses();
            }
            b.loadOptions = lo.build();
            return b.build();
        }
    }

    /** Settings of a {@link Memory}; every one optional. Not thread-safe; {@link #build()} makes an immutable memory. */
    public static final class Builder {
        private @Nullable Path location;
        private @Nullable StoreBackend store;
        private int verbose = DEFAULT_VERBOSE;
        private @Nullable MmapMode mmapMode;
        private @Nullable Long bytesLimit;
        private @Nullable Compression compression;
        private @Nullable LoadOptions loadOptions;

        private Builder() {}

        /** The directory results go to (created on first store); null caches nothing. */
        public Builder location(Path location) {
            this.location = location;
            return this;
        }

        /** A custom store (for example a remote one) instead of the file-system store of {@link #location}. */
        public Builder store(StoreBackend store) {
            this.store = store;
            return this;
        }

        /** Message level: 0 warnings only, 1 (default) computed calls, 2 also loads, above 4 load timings. */
        public Builder verbose(int verbose) {
            if (verbose < 0) {
                throw new IllegalArgumentException("verbose must be >= 0, got " + verbose);
            }
            this.verbose = verbose;
            return this;
        }

        /** Cached results holding arrays come back memory-mapped in this mode, also on the first call; null = heap. */
        public Builder mmapMode(@Nullable MmapMode mmapMode) {
            this.mmapMode = mmapMode;
            return this;
        }

        /** Keeps the store under this many bytes, evicting least recently used entries after stores. */
        public Builder bytesLimit(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("bytesLimit must be >= 0, got " + bytes);
            }
            this.bytesLimit = bytes;
            return this;
        }

        /** {@link #bytesLimit(long)} written like joblib: {@code "500M"}, {@code "2G"}. */
        public Builder bytesLimit(String bytes) {
            return bytesLimit(ByteSizes.parse(bytes));
        }

        /**
         * How results are compressed on disk ({@code Compression.lz4()}, {@code Compression.zstd(3)}...); null or
         * {@code Compression.none()} (the default) stores them raw, which is what lets arrays be memory-mapped.
         */
        public Builder compression(Compression compression) {
            this.compression = compression;
            return this;
        }

        /**
         * Which classes cached results may contain when loaded. The default trusts every class, as joblib trusts its
         * pickles: the cache location must then be writable only by users you trust, since a crafted entry could run
         * code. Pass {@code LoadOptions.builder().allowPackages("com.acme").build()} to load only the default
         * allowlist plus your own types; a result outside it is then reported as unreadable and recomputed (and
         * fails again to load, so allow every type your cached functions return). The options' mmap mode is ignored
         * (see {@link #mmapMode}). The default does not verify array checksums on a hit (it would add about as much
         * as the load itself for a large array); pass options with {@code verifyChecksums(true)} to have a flipped
         * bit in a cached array found, and the result recomputed.
         */
        public Builder loadOptions(LoadOptions options) {
            this.loadOptions = options;
            return this;
        }

        /** The memory. */
        public Memory build() {
            return new Memory(this);
        }
    }
}
