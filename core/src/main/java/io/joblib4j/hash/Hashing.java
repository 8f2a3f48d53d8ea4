package io.joblib4j.hash;

import com.dynatrace.hash4j.hashing.HashStream128;
import com.dynatrace.hash4j.hashing.HashValue128;
import com.dynatrace.hash4j.hashing.Hasher128;
import io.joblib4j.array.DType;
import io.joblib4j.array.NdArray;
import io.joblib4j.internal.Describe;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Deterministic 128-bit content hashes of object graphs (joblib's {@code hash}), built on XXH3-128.
 *
 * <p>The hash depends only on content, never on identity, memory addresses or iteration order of unordered
 * containers, so it is equal across JVM runs and machines:
 * <ul>
 *   <li>{@code Map}s and {@code Set}s hash the same whatever their iteration order (their entries' hashes are
 *       sorted); {@code List}s and other collections hash in order. Any {@code List} equals any other {@code List}
 *       with the same elements, as {@link List#equals} says (likewise for sets and maps).</li>
 *   <li>Boxed numbers hash with their type: {@code 1}, {@code 1L} and {@code 1.0} differ.</li>
 *   <li>Primitive arrays and {@link NdArray}s hash by dtype, shape and raw little-endian content, at memory
 *       speed; an array shared by several parents is hashed once per call. Arrays of 2 MiB or more are hashed as a
 *       tree of 1 MiB chunks on all cores (since this change the hashes of such arrays differ from earlier
 *       versions': cache entries keyed by them are computed once again).</li>
 *   <li>Records hash by class name and components; other objects by class name and non-static, non-transient
 *       fields (down the class hierarchy); enums by class and constant name; serializable lambdas and method
 *       references by their {@link SerializedLambda}: implementing class and method, signature and captured
 *       values. JDK types without accessible fields are hashed through a canonical form (their Java
 *       serialization when {@link Serializable}).</li>
 *   <li>Cycles are allowed: a reference back to an object being hashed is recorded by its depth.</li>
 * </ul>
 * A value that cannot be hashed deterministically (a non-serializable lambda, a JDK object with neither a
 * canonical form nor serialization) throws {@link IllegalArgumentException} naming its path in the graph.
 *
 * <p>Thread-safe; each call allocates its own state.
 */
public final class Hashing {
    private static final Hasher128 XXH3 = com.dynatrace.hash4j.hashing.Hashing.xxh3_128();
    private static final int CHUNK = 1 << 16;
    private static final Map<Class<?>, Field[]> FIELDS = new ConcurrentHashMap<>();

    // tags that start every value, so that values of different kinds never collide
    private static final byte NULL = 0,
            TRUE = 1,
            FALSE = 2,
            BYTE = 3,
            SHORT = 4,
            CHAR = 5,
            INT = 6,
            LONG = 7,
            FLOAT = 8,
            DOUBLE = 9,
            STRING = 10,
            BIGINT = 11,
            BIGDEC = 12,
            ENUM = 13,
            CLASS = 14,
            PRIM_ARRAY = 15,
            NDARRAY = 16,
            OBJ_ARRAY = 17,
            LIST = 18,
            SET = 19,
            MAP = 20,
            COLLECTION = 21,
            RECORD = 22,
            OBJECT = 23,
            LAMBDA = 24,
            BACKREF = 25,
            TEXT_FORM = 26,
            SERIAL_FORM = 27,
            NODE = 28;

    private Hashing() {}

    /** The content hash of {@code value} as 32 lower-case hex characters. */
    public static String hash(Object value) {
        return hash128(value).toHex();
    }

    /** The content hash of {@code value} as a 128-bit value. */
    public static Hash128 hash128(Object value) {
        try {
            return of(new Walker().root(value));
        } catch (StackOverflowError e) {
            // a deeply nested value: the same walk on a thread with a stack large enough for MAX_DEPTH levels
            try {
                return of(io.joblib4j.internal.LargeStack.call("joblib4j-hash", () -> new Walker().root(value)));
            } catch (RuntimeException | Error again) {
                throw again;
            } catch (Exception impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }

    /** The deepest nesting (lists, sets, maps, arrays, fields) that {@link #hash} accepts. */
    public static final int MAX_DEPTH = 100_000;

    /**
     * XXH3-128 of the bytes of {@code segment} (exactly as the reference {@code XXH3_128bits} computes it on the
     * same bytes), without copying heap {@code byte[]} segments and in 64 KiB chunks otherwise.
     */
    public static Hash128 xxh3(MemorySegment segment) {
        return of(bulk(segment, 1, ByteOrder.LITTLE_ENDIAN));
    }

    /**
     * XXH3-128 of the elements of {@code segment}, items of {@code itemSize} bytes stored in byte order
     * {@code order}, taken as little-endian bytes (the same digest whatever order they are stored in); the
     * checksum of array data in a dump.
     */
    public static Hash128 xxh3(MemorySegment segment, int itemSize, ByteOrder order) {
        return of(bulk(segment, itemSize, order));
    }

    private static Hash128 of(HashValue128 h) {
        return new Hash128(h.getMostSignificantBits(), h.getLeastSignificantBits());
    }

    /**
     * XXH3-128 of the elements of {@code segment} laid out as little-endian items of {@code itemSize} bytes
     * ({@code order} is the byte order they have in memory).
     */
    static HashValue128 bulk(MemorySegment seg, int itemSize, ByteOrder order) {
        long size = seg.byteSize();
        boolean swap = itemSize > 1 && order != ByteOrder.LITTLE_ENDIAN;
        if (!swap && size <= Integer.MAX_VALUE && seg.heapBase().orElse(null) instanceof byte[] bytes) {
            return XXH3.hashBytesTo128Bits(bytes, (int) seg.address(), (int) size);
        }
        if (!swap && size >= Xxh3Long.MIN_LENGTH) {
            return Xxh3Long.hash(seg, 0, size);
        }
        byte[] buf = new byte[(int) Math.min(CHUNK, size)]; // short inputs, or byte-swapped arrays
        MemorySegment bufSeg = MemorySegment.ofArray(buf);
        if (size <= CHUNK) {
            copy(seg, 0, bufSeg, (int) size, itemSize, swap, order);
            return XXH3.hashBytesTo128Bits(buf, 0, (int) size);
        }
        HashStream128 stream = XXH3.hashStream();
        for (long done = 0; done < size; done += CHUNK) {
            int n = (int) Math.min(CHUNK, size - done);
            copy(seg, done, bufSeg, n, itemSize, swap, order);
            stream.putBytes(buf, 0, n);
        }
        return stream.get();
    }

    /** Arrays of at least this many bytes are hashed as a tree of {@link #TREE_CHUNK}-byte chunks. */
    static final long TREE_MIN = 2L << 20;
    /** Bytes per chunk of a tree hash (a multiple of every item size). */
    static final long TREE_CHUNK = 1L << 20;

    /**
     * The content digest of an array in {@link #hash}: for arrays under {@link #TREE_MIN} bytes, XXH3-128 of its
     * elements as little-endian bytes ({@link #bulk}); for larger ones, XXH3-128 of the byte count and the
     * XXH3-128 digests of its {@link #TREE_CHUNK}-byte chunks, computed in parallel by the calling thread and the
     * threads of {@link TreeHash}, so that a large argument hashes at the memory bandwidth of all cores.
     */
    static HashValue128 content(MemorySegment seg, int itemSize, ByteOrder order) {
        long size = seg.byteSize();
        if (size < TREE_MIN) {
            return bulk(seg, itemSize, order);
        }
        int chunks = (int) ((size + TREE_CHUNK - 1) / TREE_CHUNK);
        long[] digests = new TreeHash(seg, itemSize, order, chunks).digests();
        HashStream128 tree = XXH3.hashStream().putLong(size).putInt(chunks);
        for (long d : digests) {
            tree.putLong(d);
        }
        return tree.get();
    }

    /**
     * The chunk digests of one tree hash. The calling thread and up to {@code CPU count - 1} helpers of a pool of
     * daemon threads (one per usable CPU, started on first use, so that two hashes at once both get help) claim
     * chunks in order until none is left; the caller then waits for the chunks others claimed. A helper that starts
     * late finds nothing to do, and a busy pool only means the caller hashes more chunks itself. Not the common
     * fork-join pool: on 2 CPUs its parallelism is 1, and it is shared with every parallel stream of the
     * application.
     */
    private static final class TreeHash implements Runnable {
        private static final java.util.concurrent.atomic.AtomicInteger THREADS =
                new java.util.concurrent.atomic.AtomicInteger();
        private static final java.util.concurrent.ExecutorService POOL = pool();
        /** Stands for any thread but the caller: a segment of a confined arena is not accessible by it. */
        private static final Thread OTHER = Thread.ofPlatform().unstarted(() -> {});

        private final MemorySegment seg;
        private final int itemSize;
        private final ByteOrder order;
        private final int chunks;
        private final long[] digests;
        private final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        private final java.util.concurrent.CountDownLatch finished;
        private volatile @Nullable Throwable failure;

        TreeHash(MemorySegment seg, int itemSize, ByteOrder order, int chunks) {
            this.seg = seg;
            this.itemSize = itemSize;
            this.order = order;
            this.chunks = chunks;
            this.digests = new long[2 * chunks];
            this.finished = new java.util.concurrent.CountDownLatch(chunks);
        }

        private static java.util.concurrent.ExecutorService pool() {
            int n = io.joblib4j.internal.CpuCount.get();
            var pool = new java.util.concurrent.ThreadPoolExecutor(
                    n,
                    n,
                    30,
                    java.util.concurrent.TimeUnit.SECONDS,
                    new java.util.concurrent.LinkedBlockingQueue<>(),
                    r -> {
                        Thread t = new Thread(r, "joblib4j-hash-" + THREADS.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            pool.allowCoreThreadTimeOut(true);
            return pool;
        }

        /** The digests, two longs per chunk; helped only when threads other than the caller may read the segment. */
        long[] digests() {
            int helpers = seg.isAccessibleBy(OTHER) ? Math.min(chunks, io.joblib4j.internal.CpuCount.get()) - 1 : 0;
            for (int i = 0; i < helpers; i++) {
                POOL.execute(this);
            }
            hashChunks();
            boolean interrupted = false;
            while (true) {
                try {
                    finished.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the chunks others hold are part of this hash: wait for them, then say so
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            Throwable t = failure;
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error err) {
                throw err;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
            return digests;
        }

        @Override
        public void run() {
            hashChunks();
        }

        private void hashChunks() {
            for (int k = next.getAndIncrement(); k < chunks; k = next.getAndIncrement()) {
                try {
                    long from = k * TREE_CHUNK;
                    HashValue128 h =
                            bulk(seg.asSlice(from, Math.min(TREE_CHUNK, seg.byteSize() - from)), itemSize, order);
                    digests[2 * k] = h.getMostSignificantBits();
                    digests[2 * k + 1] = h.getLeastSignificantBits();
                } catch (RuntimeException | Error e) {
                    if (failure == null) {
                        failure = e;
                    }
                } finally {
                    finished.countDown();
                }
            }
        }
    }

    private static void copy(
            MemorySegment src, long at, MemorySegment dst, int n, int itemSize, boolean swap, ByteOrder order) {
        if (!swap) {
            MemorySegment.copy(src, at, dst, 0, n);
            return;
        }
        ValueLayout l = switch (itemSize) {
            case 2 -> ValueLayout.JAVA_SHORT_UNALIGNED;
            case 4 -> ValueLayout.JAVA_INT_UNALIGNED;
            default -> ValueLayout.JAVA_LONG_UNALIGNED;
        };
        MemorySegment.copy(src, l.withOrder(order), at, dst, l.withOrder(ByteOrder.LITTLE_ENDIAN), 0, n / itemSize);
    }

    /** One hashing call: the stack of objects being hashed (for cycles) and the digests of finished ones. */
    private static final class Walker {
        // Small to start with (they grow as needed): a cache key holds a handful of composites, and the default
        // tables have 64 slots each.
        private final IdentityHashMap<Object, Integer> onStack = new IdentityHashMap<>(4);
        private final IdentityHashMap<Object, HashValue128> done = new IdentityHashMap<>(4);
        private final List<Object> stack = new ArrayList<>();
        private int cyclicFrom = Integer.MAX_VALUE;
        /** Where the walk is, for messages: {@code String} steps, {@code Integer} indices and named members. */
        private final ArrayList<Object> path = new ArrayList<>();

        HashValue128 root(Object value) {
            HashStream128 s = XXH3.hashStream();
            put(s, value);
            return s.get();
        }

        /** Feeds {@code v} to {@code s}: leaves inline, composites as their own digest. */
        void put(HashStream128 s, @Nullable Object v) {
            switch (v) {
                case null -> s.putByte(NULL);
                case Boolean b -> s.putByte(b ? TRUE : FALSE);
                case Byte b -> s.putByte(BYTE).putByte(b);
                case Short x -> s.putByte(SHORT).putShort(x);
                case Character c -> s.putByte(CHAR).putChar(c);
                case Integer i -> s.putByte(INT).putInt(i);
                case Long l -> s.putByte(LONG).putLong(l);
                case Float f -> s.putByte(FLOAT).putInt(Float.floatToIntBits(f));
                case Double d -> s.putByte(DOUBLE).putLong(Double.doubleToLongBits(d));
                case String str -> s.putByte(STRING).putString(str);
                case BigInteger b -> s.putByte(BIGINT).putByteArray(b.toByteArray());
                case BigDecimal b ->
                    s.putByte(BIGDEC)
                            .putInt(b.scale())
                            .putByteArray(b.unscaledValue().toByteArray());
                case Enum<?> e ->
                    s.putByte(ENUM).putString(e.getDeclaringClass().getName()).putString(e.name());
                case Class<?> c -> s.putByte(CLASS).putString(c.getName());
                default -> composite(s, v);
            }
        }

        private void composite(HashStream128 s, Object v) {
            HashValue128 cached = done.get(v);
            if (cached != null) {
                s.putByte(NODE).putLong(cached.getMostSignificantBits()).putLong(cached.getLeastSignificantBits());
                return;
            }
            Integer depth = onStack.get(v);
            if (depth != null) {
                s.putByte(BACKREF).putInt(stack.size() - depth);
                cyclicFrom = Math.min(cyclicFrom, depth + 1);
                return;
            }
            int myDepth = stack.size();
            if (myDepth >= MAX_DEPTH) {
                throw new IllegalArgumentException("cannot hash " + v.getClass().getName() + " at " + where()
                        + ": the value nests more than " + MAX_DEPTH + " levels deep");
            }
            stack.add(v);
            onStack.put(v, myDepth);
            HashValue128 digest;
            try {
                HashStream128 node = XXH3.hashStream();
                body(node, v);
                digest = node.get();
            } finally {
                stack.removeLast();
                onStack.remove(v);
            }
            if (cyclicFrom > myDepth) {
                // nothing in this subtree refers above it: the digest does not depend on how v was reached
                done.put(v, digest);
                cyclicFrom = Integer.MAX_VALUE;
            }
            s.putByte(NODE).putLong(digest.getMostSignificantBits()).putLong(digest.getLeastSignificantBits());
        }

        private void body(HashStream128 s, Object v) {
            Class<?> type = v.getClass();
            if (type.isArray()) {
                Class<?> component = type.getComponentType();
                if (component.isPrimitive()) {
                    DType dtype = DType.ofJavaArray(type);
                    NdArray view = NdArray.ofJavaArray(v);
                    HashValue128 h = content(view.segment(), dtype.itemSize(), view.order());
                    s.putByte(PRIM_ARRAY)
                            .putByte((byte) dtype.code())
                            .putLong(view.size())
                            .putLong(h.getMostSignificantBits())
                            .putLong(h.getLeastSignificantBits());
                    return;
                }
                Object[] arr = (Object[]) v;
                s.putByte(OBJ_ARRAY).putString(component.getName()).putInt(arr.length);
                for (int i = 0; i < arr.length; i++) {
                    child(s, arr[i], i);
                }
                return;
            }
            switch (v) {
                case NdArray nd -> {
                    HashValue128 h = content(nd.segment(), nd.dtype().itemSize(), nd.order());
                    s.putByte(NDARRAY).putByte((byte) nd.dtype().code()).putInt(nd.ndim());
                    for (long d : nd.shape()) {
                        s.putLong(d);
                    }
                    s.putLong(h.getMostSignificantBits()).putLong(h.getLeastSignificantBits());
                }
                case List<?> list -> {
                    s.putByte(LIST).putInt(list.size());
                    int i = 0;
                    for (Object e : list) {
                        child(s, e, i++);
                    }
                }
                case Set<?> set -> {
                    s.putByte(SET).putInt(set.size());
                    unordered(s, set, "{set element}");
                }
                case Map<?, ?> map -> {
                    s.putByte(MAP).putInt(map.size());
                    List<Object> entries = new ArrayList<>(map.size());
                    for (Map.Entry<?, ?> e : map.entrySet()) {
                        entries.add(new Object[] {e.getKey(), e.getValue()});
                    }
                    unordered(s, entries, "{map entry}");
                }
                case Collection<?> col -> {
                    s.putByte(COLLECTION).putString(type.getName()).putInt(col.size());
                    int i = 0;
                    for (Object e : col) {
                        child(s, e, i++);
                    }
                }
                default -> object(s, v, type);
            }
        }

        private void unordered(HashStream128 s, Collection<?> items, String label) {
            long[][] digests = new long[items.size()][];
            int i = 0;
            for (Object e : items) {
                HashStream128 one = XXH3.hashStream();
                path.add(label);
                try {
                    if (e instanceof Object[] kv && label.equals("{map entry}")) {
                        put(one, kv[0]);
                        put(one, kv[1]);
                    } else {
                        put(one, e);
                    }
                } finally {
                    path.removeLast();
                }
                HashValue128 h = one.get();
                digests[i++] = new long[] {h.getMostSignificantBits(), h.getLeastSignificantBits()};
            }
            Arrays.sort(digests, (a, b) -> {
                int c = Long.compareUnsigned(a[0], b[0]);
                return c != 0 ? c : Long.compareUnsigned(a[1], b[1]);
            });
            for (long[] d : digests) {
                s.putLong(d[0]).putLong(d[1]);
            }
        }

        /**
         * Feeds {@code v}, reached by {@code step}: a {@code String} as it is printed, an {@code Integer} index, a
         * {@link Field} or a {@link RecordComponent}. Steps are turned into text only when a message needs them.
         */
        private void child(HashStream128 s, @Nullable Object v, Object step) {
            path.add(step);
            try {
                put(s, v);
            } finally {
                path.removeLast();
            }
        }

        private void object(HashStream128 s, Object v, Class<?> type) {
            SerializedLambda lambda = Describe.serializedLambda(v);
            if (lambda != null) {
                s.putByte(LAMBDA)
                        .putString(lambda.getCapturingClass())
                        .putString(lambda.getFunctionalInterfaceClass())
                        .putString(lambda.getFunctionalInterfaceMethodName())
                        .putString(lambda.getImplClass())
                        .putString(lambda.getImplMethodName())
                        .putString(lambda.getImplMethodSignature())
                        .putInt(lambda.getImplMethodKind())
                        .putInt(lambda.getCapturedArgCount());
                for (int i = 0; i < lambda.getCapturedArgCount(); i++) {
                    child(s, lambda.getCapturedArg(i), "captured[" + i + "]");
                }
                return;
            }
            if (type.isHidden() || type.isSynthetic()) {
                throw new IllegalArgumentException("cannot hash " + type.getName() + " at " + where()
                        + ": a lambda that is not Serializable has no stable identity; declare it as a "
                        + "SerializableFunction (or another Serializable functional interface)");
            }
            if (type.isRecord()) {
                s.putByte(RECORD).putString(type.getName());
                RecordComponent[] components = type.getRecordComponents();
                s.putInt(components.length);
                for (RecordComponent rc : components) {
                    s.putString(rc.getName());
                    child(s, readComponent(rc, v), rc);
                }
                return;
            }
            String name = type.getName();
            if (name.startsWith("java.")
                    || name.startsWith("javax.")
                    || name.startsWith("jdk.")
                    || name.startsWith("sun.")) {
                jdkValue(s, v, type);
                return;
            }
            Field[] fields = fieldsOf(type);
            s.putByte(OBJECT).putString(name).putInt(fields.length);
            for (Field f : fields) {
                s.putString(f.getName());
                Object value;
                try {
                    value = f.get(v);
                } catch (IllegalAccessException e) {
                    throw new IllegalArgumentException("cannot read field " + f + " at " + where(), e);
                }
                child(s, value, f);
            }
        }

        private Object readComponent(RecordComponent rc, Object v) {
            try {
                Field f = rc.getDeclaringRecord().getDeclaredField(rc.getName());
                if (f.trySetAccessible()) {
                    return f.get(v);
                }
                var accessor = rc.getAccessor();
                accessor.setAccessible(true);
                return accessor.invoke(v);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalArgumentException(
                        "cannot read record component " + rc.getName() + " of "
                                + v.getClass().getName() + " at " + where() + ": " + e,
                        e);
            }
        }

        private void jdkValue(HashStream128 s, Object v, Class<?> type) {
            if (v instanceof java.time.temporal.TemporalAccessor
                    || v instanceof java.time.temporal.TemporalAmount
                    || v instanceof java.time.ZoneId
                    || v instanceof java.util.UUID
                    || v instanceof Path
                    || v instanceof java.net.URI
                    || v instanceof java.io.File
                    || v instanceof java.util.Locale
                    || v instanceof java.util.Currency
                    || v instanceof java.nio.charset.Charset
                    || v instanceof CharSequence) {
                s.putByte(TEXT_FORM).putString(type.getName()).putString(v.toString());
                return;
            }
            switch (v) {
                case java.util.Optional<?> o -> {
                    s.putByte(TEXT_FORM).putString(type.getName());
                    child(s, o.orElse(null), ".value");
                    return;
                }
                case java.util.regex.Pattern p -> {
                    s.putByte(TEXT_FORM)
                            .putString(type.getName())
                            .putString(p.pattern())
                            .putInt(p.flags());
                    return;
                }
                case java.util.Date d -> {
                    s.putByte(TEXT_FORM).putString(type.getName()).putLong(epochMillis(d));
                    return;
                }
                case java.util.BitSet b -> {
                    s.putByte(TEXT_FORM).putString(type.getName()).putLongArray(b.toLongArray());
                    return;
                }
                case Number n
                when v instanceof java.util.concurrent.atomic.AtomicInteger
                        || v instanceof java.util.concurrent.atomic.AtomicLong -> {
                    s.putByte(TEXT_FORM).putString(type.getName()).putLong(n.longValue());
                    return;
                }
                case Map.Entry<?, ?> e -> {
                    s.putByte(TEXT_FORM).putString("java.util.Map$Entry");
                    child(s, e.getKey(), ".key");
                    child(s, e.getValue(), ".value");
                    return;
                }
                default -> {}
            }
            if (v instanceof Serializable) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                    out.writeObject(v);
                } catch (IOException e) {
                    throw new IllegalArgumentException(
                            "cannot hash " + type.getName() + " at " + where() + ": " + e, e);
                }
                s.putByte(SERIAL_FORM).putString(type.getName()).putByteArray(bytes.toByteArray());
                return;
            }
            throw new IllegalArgumentException("cannot hash " + type.getName() + " at " + where()
                    + ": a JDK type with no canonical form that is not Serializable");
        }

        private String where() {
            if (path.size() > 12) {
                return "root" + steps(0, 6) + "..." + steps(path.size() - 3, path.size()) + " (" + path.size()
                        + " levels down)";
            }
            return path.isEmpty() ? "the root" : "root" + steps(0, path.size());
        }

        private String steps(int from, int to) {
            StringBuilder sb = new StringBuilder();
            for (Object step : path.subList(from, to)) {
                switch (step) {
                    case Integer i -> sb.append('[').append(i).append(']');
                    case Field f -> sb.append('.').append(f.getName());
                    case RecordComponent rc -> sb.append('.').append(rc.getName());
                    default -> sb.append(step);
                }
            }
            return sb.toString();
        }
    }

    // A Date argument is hashed by its instant; getTime() rather than toInstant(), which java.sql.Date throws on.
    @SuppressWarnings("JavaUtilDate")
    private static long epochMillis(java.util.Date d) {
        return d.getTime();
    }

    private static Field[] fieldsOf(Class<?> type) {
        return FIELDS.computeIfAbsent(type, t -> {
            List<Class<?>> chain = new ArrayList<>();
            for (Class<?> c = t; c != null && c != Object.class; c = c.getSuperclass()) {
                chain.addFirst(c);
            }
            List<Field> out = new ArrayList<>();
            for (Class<?> c : chain) {
                for (Field f : c.getDeclaredFields()) {
                    int m = f.getModifiers();
                    if (Modifier.isStatic(m) || Modifier.isTransient(m) || f.isSynthetic()) {
                        continue;
                    }
                    if (!f.trySetAccessible()) {
                        throw new IllegalArgumentException("cannot hash " + t.getName() + ": field " + f.getName()
                                + " of " + c.getName() + " is not accessible (open the package to io.joblib4j.core)");
                    }
                    out.add(f);
                }
            }
            return out.toArray(Field[]::new);
        });
    }
}
