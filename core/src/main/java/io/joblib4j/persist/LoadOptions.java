package io.joblib4j.persist;

import io.joblib4j.array.MmapMode;
import io.joblib4j.array.Npy;
import io.joblib4j.array.PersistException;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * How {@code Joblib.load} reads a dump: whether arrays come back memory-mapped, and which classes it may
 * instantiate. Immutable and thread-safe; build with {@link #builder()}.
 *
 * <p><b>The allowlist.</b> By default {@code load} creates only: JDK value types ({@code String}, boxed
 * primitives, {@code BigInteger}/{@code BigDecimal}, {@code java.time}, {@code UUID}, {@code Optional}...), the
 * JDK collections and maps ({@code List.of}, {@code ArrayList}, {@code HashMap}, {@code TreeMap}, unmodifiable and
 * synchronized wrappers...), arrays of allowed types and {@code NdArray}. Records and enums are not on the default
 * list: loading one runs its code (a record's canonical constructor, an enum's static initializer), so allow
 * them by class or package like any other class. Any other class is refused with a
 * {@link DisallowedClassException} naming it, before any instance of it exists. Classes that are well-known
 * deserialization gadgets are refused even when their package is allowed. Allow your own types with
 * {@link Builder#allowClasses}, {@link Builder#allowPackages}; {@link Builder#trustAllClasses()} turns the check
 * off for files from a trusted source only (such as a cache directory the application itself writes).
 *
 * <p><b>Expansion limits.</b> A compressed dump or a deflated {@code .npz} entry is refused with a
 * {@link PersistException} once the bytes it expands to exceed {@link #expansionLimit(long)}: beyond the first
 * {@link #EXPANSION_GRACE_BYTES} (64 MiB, always allowed), at most {@link #maxExpansionRatio()} (default
 * {@value #DEFAULT_MAX_EXPANSION_RATIO}) times the compressed bytes read, and never more than
 * {@link #maxExpandedBytes()} (default: no fixed cap). This is the rule zip-bomb defences such as Apache POI's
 * {@code ZipSecureFile} use (a minimum inflate ratio after a grace size): a few hundred bytes cannot make
 * {@code load} allocate gigabytes, while honest files of ordinary data (which compress far less than 100:1) load
 * at any size. Raise the ratio with {@link Builder#maxExpansionRatio} for trusted files of very redundant data.
 */
public final class LoadOptions {
    /** The default of {@link #maxExpansionRatio()}: 100 decompressed bytes per compressed byte. */
    public static final double DEFAULT_MAX_EXPANSION_RATIO = Npy.DEFAULT_MAX_EXPANSION_RATIO;
    /** Decompressed bytes that every compressed input may produce whatever its ratio: 64 MiB. */
    public static final long EXPANSION_GRACE_BYTES = Npy.EXPANSION_GRACE_BYTES;

    private static final LoadOptions DEFAULTS = new Builder().build();

    private final @Nullable MmapMode mmapMode;
    private final Set<String> classes;
    private final Set<String> packages;
    private final boolean allowRecords;
    private final boolean trustAll;
    private final boolean verifyChecksums;
    private final double maxExpansionRatio;
    private final long maxExpandedBytes;
    /** See {@link #policyKey}: built once, as every load looks its readers up by it. */
    private final List<Object> policyKey;

    private LoadOptions(Builder b) {
        this.verifyChecksums = b.verifyChecksums;
        this.mmapMode = b.mmapMode;
        this.classes = Set.copyOf(b.classes);
        this.packages = Set.copyOf(b.packages);
        this.allowRecords = b.allowRecords;
        this.trustAll = b.trustAll;
        this.maxExpansionRatio = b.maxExpansionRatio;
        this.maxExpandedBytes = b.maxExpandedBytes;
        this.policyKey = List.of(new TreeSet<>(classes), new TreeSet<>(packages), allowRecords, trustAll);
    }

    /** No mmap, the default allowlist. */
    public static LoadOptions defaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The default allowlist with arrays memory-mapped in {@code mode} (null: read onto the heap). */
    public static LoadOptions mmap(MmapMode mode) {
        return builder().mmapMode(mode).build();
    }

    /** A builder holding these options, to derive variants. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.mmapMode = mmapMode;
        b.classes.addAll(classes);
        b.packages.addAll(packages);
        b.allowRecords = allowRecords;
        b.trustAll = trustAll;
        b.verifyChecksums = verifyChecksums;
        b.maxExpansionRatio = maxExpansionRatio;
        b.maxExpandedBytes = maxExpandedBytes;
        return b;
    }

    /** How NdArrays are mapped, or null to read them onto the heap. */
    public @Nullable MmapMode mmapMode() {
        return mmapMode;
    }

    /** The class names allowed beyond the defaults. */
    public Set<String> allowedClasses() {
        return classes;
    }

    /** The package prefixes allowed beyond the defaults. */
    public Set<String> allowedPackages() {
        return packages;
    }

    /** Whether every record and enum may be loaded, allowed or not (default false). */
    public boolean allowsRecords() {
        return allowRecords;
    }

    /**
     * Whether arrays read onto the heap are checked against the dump's checksums (default true; files written
     * before checksums existed load unchecked). Memory-mapped arrays are never checked: that would read them.
     */
    public boolean verifiesChecksums() {
        return verifyChecksums;
    }

    /** Whether the class check is off. */
    public boolean trustsAllClasses() {
        return trustAll;
    }

    /** How many decompressed bytes per compressed byte a compressed input may expand to beyond the grace size. */
    public double maxExpansionRatio() {
        return maxExpansionRatio;
    }

    /** The most bytes any compressed input may expand to ({@code Long.MAX_VALUE}, the default, for no fixed cap). */
    public long maxExpandedBytes() {
        return maxExpandedBytes;
    }

    /**
     * The most bytes that an input of {@code compressedBytes} compressed bytes may expand to under these options:
     * {@code min(maxExpandedBytes, max(EXPANSION_GRACE_BYTES, maxExpansionRatio * compressedBytes))}.
     */
    public long expansionLimit(long compressedBytes) {
        return Npy.expansionLimit(compressedBytes, maxExpansionRatio, maxExpandedBytes);
    }

    /**
     * Whether {@code load} with these options may instantiate the class named {@code className} (a binary name as
     * {@link Class#getName()} gives it, arrays included).
     */
    public boolean isAllowed(String className) {
        return Allowlist.isAllowed(this, className);
    }

    /** The part of these options that decides what may be loaded (the mmap mode excluded). */
    Object policyKey() {
        return policyKey;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LoadOptions l
                && l.mmapMode == mmapMode
                && l.policyKey().equals(policyKey())
                && l.verifyChecksums == verifyChecksums
                && Double.compare(l.maxExpansionRatio, maxExpansionRatio) == 0
                && l.maxExpandedBytes == maxExpandedBytes;
    }

    @Override
    public int hashCode() {
        return Objects.hash(mmapMode, policyKey(), verifyChecksums, maxExpansionRatio, maxExpandedBytes);
    }

    @Override
    public String toString() {
        return "LoadOptions[mmap=" + mmapMode + ", classes=" + new TreeSet<>(classes) + ", packages="
                + new TreeSet<>(packages) + ", records=" + allowRecords + (trustAll ? ", TRUST ALL" : "")
                + (verifyChecksums ? "" : ", checksums not verified")
                + ", maxExpansionRatio=" + maxExpansionRatio
                + (maxExpandedBytes == Long.MAX_VALUE ? "" : ", maxExpandedBytes=" + maxExpandedBytes) + "]";
    }

    /** Builds {@link LoadOptions}. Not thread-safe. */
    public static final class Builder {
        private @Nullable MmapMode mmapMode;
        private final Set<String> classes = new TreeSet<>();
        private final Set<String> packages = new TreeSet<>();
        private boolean allowRecords;
        private boolean trustAll;
        private boolean verifyChecksums = true;
        private double maxExpansionRatio = DEFAULT_MAX_EXPANSION_RATIO;
        private long maxExpandedBytes = Long.MAX_VALUE;

        private Builder() {}

        /** Map NdArrays of uncompressed files in {@code mode}; null reads them onto the heap (the default). */
        public Builder mmapMode(@Nullable MmapMode mode) {
            this.mmapMode = mode;
            return this;
        }

        /** Also allow these classes (exactly these, not subclasses). */
        public Builder allowClasses(Class<?>... types) {
            for (Class<?> t : types) {
                classes.add(t.getName());
            }
            return this;
        }

        /** Also allow the classes with these binary names ({@code com.acme.Point}, {@code com.acme.Outer$Inner}). */
        public Builder allowClassNames(Collection<String> names) {
            for (String n : names) {
                if (n == null || n.isBlank()) {
                    throw new IllegalArgumentException("blank class name in " + names);
                }
                classes.add(n.strip());
            }
            return this;
        }

        /**
         * Also allow every class in these packages and their sub-packages ({@code "com.acme"} allows
         * {@code com.acme.Point} and {@code com.acme.geo.Line}).
         *
         * @throws IllegalArgumentException for a blank name or {@code java}/{@code javax}/{@code jdk}/{@code sun}
         *                                  roots, which would allow gadget classes
         */
        public Builder allowPackages(String... names) {
            for (String n : names) {
                String p = n == null ? "" : n.strip();
                if (p.endsWith(".*")) {
                    p = p.substring(0, p.length() - 2);
                }
                if (p.endsWith(".")) {
                    p = p.substring(0, p.length() - 1);
                }
                if (p.isEmpty()
                        || p.equals("java")
                        || p.equals("javax")
                        || p.equals("jdk")
                        || p.equals("sun")
                        || p.equals("com.sun")
                        || p.equals("com")
                        || p.equals("org")) {
                    throw new IllegalArgumentException("package '" + n + "' is too broad to allow; name your "
                            + "application's package, e.g. \"com.acme.model\"");
                }
                packages.add(p);
            }
            return this;
        }

        /**
         * Whether every record and enum on the class path may be loaded, even when not allowed by class or package
         * (default false). Loading a record runs its canonical constructor and loading an enum runs its static
         * initializer: prefer {@link #allowClasses}/{@link #allowPackages}, which name the types you expect.
         */
        public Builder allowRecords(boolean allow) {
            this.allowRecords = allow;
            return this;
        }

        /**
         * Whether arrays read onto the heap are checked against the dump's XXH3 checksums (default true): a
         * flipped bit in array data then fails the load with a {@link PersistException} naming the array and its
         * offset. Memory-mapped arrays are not checked.
         */
        public Builder verifyChecksums(boolean verify) {
            this.verifyChecksums = verify;
            return this;
        }

        /**
         * Turns the class check off: any class in the file is instantiated. Only for files that no one else can
         * write; a crafted file can then run code in this JVM.
         */
        public Builder trustAllClasses() {
            this.trustAll = true;
            return this;
        }

        /**
         * How many decompressed bytes per compressed byte a compressed dump or {@code .npz} may expand to once past
         * {@link #EXPANSION_GRACE_BYTES} (default {@value #DEFAULT_MAX_EXPANSION_RATIO});
         * {@code Double.POSITIVE_INFINITY} turns the ratio check off.
         *
         * @throws IllegalArgumentException when {@code ratio} is NaN or below 1
         */
        public Builder maxExpansionRatio(double ratio) {
            if (!(ratio >= 1)) {
                throw new IllegalArgumentException("maxExpansionRatio " + ratio + " must be at least 1 (a compressed "
                        + "input expands to at least its own size), or Double.POSITIVE_INFINITY for no ratio check");
            }
            this.maxExpansionRatio = ratio;
            return this;
        }

        /**
         * The most bytes a compressed dump or {@code .npz} may expand to, whatever its ratio (default
         * {@code Long.MAX_VALUE}: no fixed cap).
         *
         * @throws IllegalArgumentException when {@code bytes} is not positive
         */
        public Builder maxExpandedBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxExpandedBytes " + bytes + " must be positive");
            }
            this.maxExpandedBytes = bytes;
            return this;
        }

        /** The options. */
        public LoadOptions build() {
            return new LoadOptions(this);
        }
    }
}
