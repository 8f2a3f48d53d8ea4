package io.joblib4j;

import io.joblib4j.array.MmapMode;
import io.joblib4j.array.PersistException;
import io.joblib4j.hash.Hashing;
import io.joblib4j.internal.Attempts;
import io.joblib4j.internal.ByteSizes;
import io.joblib4j.internal.CpuCount;
import io.joblib4j.internal.NJobs;
import io.joblib4j.persist.Compression;
import io.joblib4j.persist.LoadOptions;
import io.joblib4j.persist.Persistence;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The front door to joblib4j's functions, named as in Python's joblib: {@code delayed}, {@code cpuCount},
 * {@code effectiveNJobs}, {@code dump}, {@code load}, {@code hash}.
 *
 * <pre>{@code
 * List<Double> roots = Parallel.of(2).run(IntStream.range(0, 10).mapToObj(i -> delayed(Math::sqrt, (double) i * i)));
 * }</pre>
 */
public final class Joblib {
    private Joblib() {}

    // ---- Parallel ---------------------------------------------------------------------------------------------

    /**
     * A call of {@code f(arg)}, to be run later by {@link io.joblib4j.parallel.Parallel}: joblib's
     * {@code delayed(f)(arg)}. {@code f} may throw checked exceptions ({@code Thread.sleep}, I/O): they fail the
     * task and reach the caller wrapped in {@link io.joblib4j.parallel.TaskFailedException}. The forms with two to
     * six arguments are {@code delayed(f, a, b)} .. {@code delayed(f, a, b, c, d, e, f)}.
     *
     * @throws NullPointerException if {@code f} is null
     */
    public static <T extends @Nullable Object, R> Delayed<R> delayed(SerializableFunction1<T, R> f, T arg) {
        return Delayed.of(f, arg);
    }

    /**
     * A call of {@code f(a, b)}: joblib's {@code delayed(f)(a, b)}.
     *
     * @throws NullPointerException if {@code f} is null
     */
    public static <A extends @Nullable Object, B extends @Nullable Object, R> Delayed<R> delayed(
            SerializableFunction2<A, B, R> f, A a, B b) {
        return Delayed.of(f, a, b);
    }

    /**
     * A call of {@code f(a, b, c)}.
     *
     * @throws NullPointerException if {@code f} is null
     */
    public static <A extends @Nullable Object, B extends @Nullable Object, C extends @Nullable Object, R>
            Delayed<R> delayed(SerializableFunction3<A, B, C, R> f, A a, B b, C c) {
        return Delayed.of(f, a, b, c);
    }

    /**
     * A call of {@code f(a, b, c, d)}.
     *
     * @throws NullPointerException if {@code f} is null
     */
    public static <
                    A extends @Nullable Object,
                    B extends @Nullable Object,
                    C extends @Nullable Object,
                    D extends @Nullable Object,
                    R>
            Delayed<R> delayed(SerializableFunction4<A, B, C, D, R> f, A a, B b, C c, D d) {
        return Delayed.of(f, a, b, c, d);
    }

    /**
     * A call of {@code f(a, b, c, d, e)}.
     *
     * @throws NullPointerException if {@code f} is null
     */
    public static <
                    A extends @Nullable Object,
                    B extends @Nullable Object,
                    C extends @Nullable Object,
                    D extends @Nullable Object,
                    E extends @Nullable Object,
                    R>
            Delayed<R> delayed(SerializableFunction5<A, B, C, D, E, R> f, A a, B b, C c, D d, E e) {
        return Delayed.of(f, a, b, c, d, e);
    }

    /**
     * A call of {@code fn(a, b, c, d, e, f)}.
     *
     * @throws NullPointerException if {@code fn} is null
     */
    public static <
                    A extends @Nullable Object,
                    B extends @Nullable Object,
                    C extends @Nullable Object,
                    D extends @Nullable Object,
                    E extends @Nullable Object,
                    F extends @Nullable Object,
                    R>
            Delayed<R> delayed(SerializableFunction6<A, B, C, D, E, F, R> fn, A a, B b, C c, D d, E e, F f) {
        return Delayed.of(fn, a, b, c, d, e, f);
    }

    /**
     * Parses a byte count as joblib writes one ({@code max_nbytes="1M"}, {@code bytes_limit="2G"}): a number
     * {@code >= 0} with an optional {@code K}, {@code M}, {@code G} or {@code T} suffix (1024-based) and an optional
     * {@code B}, such as {@code "500M"}, {@code "1.5G"} or {@code "4096"}.
     *
     * @throws IllegalArgumentException quoting the text, for anything else
     */
    public static long parseBytes(String text) {
        return ByteSizes.parse(text);
    }

    /** A byte count for people: {@code "512 B"}, {@code "1.5 MiB"}, {@code "2.0 GiB"}. */
    public static String formatBytes(long bytes) {
        return ByteSizes.format(bytes);
    }

    /**
     * The number of CPUs this JVM may use: the smallest of the JVM's count, the CPU affinity mask, the cgroup CPU
     * quota and the {@code JOBLIB4J_CPU_COUNT} environment variable; at least 1.
     */
    public static int cpuCount() {
        return CpuCount.get();
    }

    /**
     * The number of workers a {@code Parallel} with this {@code nJobs} uses: {@code nJobs} itself when positive,
     * {@code max(cpuCount() + 1 + nJobs, 1)} when negative ({@code -1} = all CPUs, {@code -2} = all but one).
     *
     * @throws IllegalArgumentException for 0
     */
    public static int effectiveNJobs(int nJobs) {
        return NJobs.resolve(nJobs, null, cpuCount());
    }

    /**
     * The number of workers a {@code Parallel} that sets no {@code nJobs} uses here: the active
     * {@link io.joblib4j.parallel.ParallelConfig}'s, else 1.
     */
    public static int effectiveNJobs() {
        return NJobs.resolve(null, NJobs.inForce(), cpuCount());
    }

    /**
     * Which run of the current task this is: 1 for its first run, 2 when it runs again because the worker running
     * it was lost (a worker process that crashed, a cluster member that left), and so on; 1 outside a task. Tasks
     * whose side effects must happen once (a file written, a message sent) can use it to make them idempotent:
     * execution on a worker that may be lost is at-least-once, while {@code Parallel} keeps one result per task.
     */
    public static int currentAttempt() {
        return Attempts.current();
    }

    // ---- Persistence and hashing: dump, load, hash --------------------------------------------------------------

    /**
     * Writes {@code value} (any object graph; null too) to {@code file}, compressed with the codec that the file's
     * extension names ({@code .z .gz .bz2 .lzma .xz .lz4 .zst}) or uncompressed. Primitive arrays and
     * {@code NdArray}s anywhere in the graph are stored raw and 64-byte aligned after the object stream, so
     * uncompressed files load at disk speed and their NdArrays can be memory-mapped. The write is atomic: a
     * temporary file in the same directory is renamed over {@code file} when complete. Missing parent directories
     * are created.
     *
     * @throws PersistException when the graph cannot be serialized
     * @throws IOException      when the file cannot be written
     */
    public static void dump(Object value, Path file) throws IOException {
        Persistence.dump(value, file, null);
    }

    /**
     * Like {@link #dump(Object, Path)} with an explicit codec ({@link Compression#none()} for none, whatever the
     * extension).
     */
    public static void dump(Object value, Path file, Compression compression) throws IOException {
        Persistence.dump(value, file, Objects.requireNonNull(compression, "compression"));
    }

    /** Writes {@code value} uncompressed to {@code out}, which stays open. */
    public static void dump(Object value, OutputStream out) throws IOException {
        Persistence.dump(value, out, Compression.none());
    }

    /** Writes {@code value} to {@code out} (which stays open) compressed with {@code compression}. */
    public static void dump(Object value, OutputStream out, Compression compression) throws IOException {
        Persistence.dump(value, out, Objects.requireNonNull(compression, "compression"));
    }

    /**
     * Reads the object graph that {@link #dump} wrote to {@code file}, onto the heap. The codec is detected from
     * the file's magic bytes. Only allowlisted classes are instantiated (see {@link LoadOptions}).
     *
     * @throws io.joblib4j.persist.DisallowedClassException for a class outside the allowlist, naming it
     * @throws PersistException for a file that is not a dump, truncated or corrupt, naming the offset
     */
    // joblib's load returns whatever was dumped: the caller names its type (the cast is unchecked)
    @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"})
    public static <T> T load(Path file) throws IOException {
        return (T) Persistence.load(file, LoadOptions.defaults());
    }

    /**
     * Reads {@code file} with its NdArrays memory-mapped in {@code mmapMode} (null: onto the heap). Plain Java
     * arrays always come back on the heap. A compressed file is loaded onto the heap with one logged warning.
     */
    // joblib's load returns whatever was dumped: the caller names its type (the cast is unchecked)
    @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"})
    public static <T> T load(Path file, MmapMode mmapMode) throws IOException {
        return (T) Persistence.load(file, LoadOptions.mmap(mmapMode));
    }

    /** Reads {@code file} with the given mmap mode and class allowlist. */
    // joblib's load returns whatever was dumped: the caller names its type (the cast is unchecked)
    @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"})
    public static <T> T load(Path file, LoadOptions options) throws IOException {
        return (T) Persistence.load(file, options);
    }

    /**
     * Reads {@code file}, also allowing {@code type} itself, and checks that the root object is a {@code type}.
     *
     * @throws PersistException when the root object is of another type
     */
    public static <T> T load(Path file, Class<T> type) throws IOException {
        Object v =
                Persistence.load(file, LoadOptions.builder().allowClasses(type).build());
        return cast(v, type, file);
    }

    /** Reads one dump from {@code in} (compressed or not), which stays open. */
    // joblib's load returns whatever was dumped: the caller names its type (the cast is unchecked)
    @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"})
    public static <T> T load(InputStream in) throws IOException {
        return (T) Persistence.load(in, LoadOptions.defaults());
    }

    /** Reads one dump from {@code in} with the given class allowlist (NdArrays come back on the heap). */
    // joblib's load returns whatever was dumped: the caller names its type (the cast is unchecked)
    @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"})
    public static <T> T load(InputStream in, LoadOptions options) throws IOException {
        return (T) Persistence.load(in, options);
    }

    private static <T> T cast(Object v, Class<T> type, Path file) throws PersistException {
        if (v != null && !type.isInstance(v)) {
            throw new PersistException(
                    "the dump holds a " + v.getClass().getName() + ", expected a " + type.getName(), file, -1, null);
        }
        return type.cast(v);
    }

    /**
     * A deterministic 128-bit content hash of {@code value} as 32 lower-case hex characters (see
     * {@link Hashing#hash(Object)}): equal content gives an equal hash in every JVM run and on every machine.
     */
    public static String hash(Object value) {
        return Hashing.hash(value);
    }
}
