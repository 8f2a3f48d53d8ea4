package io.joblib4j.persist;

import io.joblib4j.array.DType;
import io.joblib4j.array.NdArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.fory.Fory;
import org.apache.fory.config.CompatibleMode;
import org.apache.fory.config.Config;
import org.apache.fory.config.Language;
import org.apache.fory.context.ReadContext;
import org.apache.fory.context.WriteContext;
import org.apache.fory.memory.MemoryBuffer;
import org.apache.fory.serializer.Serializer;
import org.jspecify.annotations.Nullable;

/**
 * Pools of configured Fory instances (Fory is not thread-safe; building one costs milliseconds). Writers share
 * one pool; readers get one pool per class policy, so a class allowed for one caller is never cached as allowed
 * for another. Primitive arrays of {@link #INLINE_LIMIT} bytes or more and every {@link NdArray} are taken out of
 * the Fory stream: the stream holds their index in the dump's array table.
 */
final class ForyEngine {
    /** Primitive arrays smaller than this many bytes stay inside the object stream. */
    static final int INLINE_LIMIT = 64;

    /**
     * The deepest nesting {@code load} reads (Fory's read depth: one level per nested object). Reading this deep
     * takes a few hundred KiB of stack, within a default 1 MiB thread stack; {@code dump} refuses values that
     * nest more than {@link #MAX_DUMP_DEPTH} levels, so every file it writes can be read back.
     */
    static final int MAX_READ_DEPTH = 3000;
    /** The deepest nesting (collections, maps, arrays of objects, fields) that {@code dump} writes. */
    static final int MAX_DUMP_DEPTH = 1000;

    private static final int MAX_POOLS = 32;
    /** Instances kept per pool: enough for every CPU, not one per (virtual) thread that ever dumped. */
    private static final int MAX_IDLE = 2 * Runtime.getRuntime().availableProcessors() + 2;

    private static final ConcurrentLinkedQueue<Instance> WRITERS = new ConcurrentLinkedQueue<>();
    private static final Map<Object, ConcurrentLinkedQueue<Instance>> READERS = new ConcurrentHashMap<>();

    private ForyEngine() {}

    /** A Fory instance with the array table of the dump being written or read. */
    static final class Instance {
        final Fory fory;
        final List<Object> written = new ArrayList<>();
        Object @Nullable [] read;

        Instance(Fory fory) {
            this.fory = fory;
        }

        int add(Object array) {
            written.add(array);
            return written.size() - 1;
        }

        <T> T take(int index, Class<T> type) {
            if (read == null || index < 0 || index >= read.length) {
                throw new CorruptGraph("array reference " + index + " is outside the array table (size "
                        + (read == null ? 0 : read.length) + ")");
            }
            Object a = read[index];
            if (!type.isInstance(a)) {
                throw new CorruptGraph("array reference " + index + " points to a "
                        + (a == null ? "null" : a.getClass().getSimpleName()) + ", expected " + type.getSimpleName());
            }
            return type.cast(a);
        }

        void reset() {
            written.clear();
            read = null;
        }
    }

    /** The object stream refers to something that is not there. */
    static final class CorruptGraph extends RuntimeException {
        CorruptGraph(String message) {
            super(message);
        }
    }

    /** The class check refused a class. */
    static final class Refused extends RuntimeException {
        final String className;

        Refused(String className) {
            super("class " + className + " is not allowed", null, false, false);
            this.className = className;
        }
    }

    static Instance writer() {
        Instance i = WRITERS.poll();
        return i != null ? i : create(null);
    }

    static void releaseWriter(Instance i) {
        i.reset();
        if (WRITERS.size() < MAX_IDLE) {
            WRITERS.offer(i);
        }
    }

    static Instance reader(LoadOptions options) {
        ConcurrentLinkedQueue<Instance> pool = READERS.get(options.policyKey());
        Instance i = pool == null ? null : pool.poll();
        return i != null ? i : create(options);
    }

    static void releaseReader(LoadOptions options, Instance i) {
        i.reset();
        if (READERS.size() >= MAX_POOLS && !READERS.containsKey(options.policyKey())) {
            return;
        }
        ConcurrentLinkedQueue<Instance> pool =
                READERS.computeIfAbsent(options.policyKey(), k -> new ConcurrentLinkedQueue<>());
        if (pool.size() < MAX_IDLE) {
            pool.offer(i);
        }
    }

    private static Instance create(@Nullable LoadOptions options) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = ForyEngine.class.getClassLoader();
        }
        LoadOptions policy =
                options == null ? LoadOptions.builder().trustAllClasses().build() : options;
        Fory fory = Fory.builder()
                .withLanguage(Language.JAVA)
                .withRefTracking(true)
                .withCompatibleMode(CompatibleMode.COMPATIBLE)
                .requireClassRegistration(false)
                .suppressClassRegistrationWarnings(true)
                .withMaxDepth(MAX_READ_DEPTH)
                .withTypeChecker((resolver, className) -> {
                    if (Allowlist.admits(policy, className)) {
                        return true;
                    }
                    throw new Refused(className);
                })
                .withClassLoader(loader)
                .withCodegen(true)
                .build();
        Instance instance = new Instance(fory);
        Config config = fory.getConfig();
        for (DType t : DType.values()) {
            if (t.javaArrayType() != null) {
                register(
                        fory,
                        t.javaArrayType(),
                        new PrimitiveArraySerializer<>(config, t.javaArrayType(), t, instance));
            }
        }
        fory.registerSerializer(NdArray.class, new NdArraySerializer(config, instance));
        fory.registerSerializer(KEY_VALUE_HOLDER, new EntrySerializer(config));
        if (!policy.trustsAllClasses()) {
            refuseBuiltIns(fory, policy);
        }
        return instance;
    }

    /** The class of {@code Map.entry(k, v)}, which Fory does not serialize by itself. */
    @SuppressWarnings("unchecked")
    static final Class<Map.Entry<Object, Object>> KEY_VALUE_HOLDER =
            (Class<Map.Entry<Object, Object>>) Map.entry("k", "v").getClass();

    /**
     * The classes Fory registers itself (exceptions, {@code AtomicReference}, byte buffers, blocking queues, its
     * own list types...) are written by id and never reach the type checker: on a reader, each one outside the
     * policy gets a serializer that refuses it.
     */
    private static void refuseBuiltIns(Fory fory, LoadOptions policy) {
        for (Class<?> c : builtInClasses(fory)) {
            if (c.isPrimitive()
                    || Allowlist.isAllowed(policy, c.getName())
                    || c.getName().equals(REPLACE_STUB)) {
                continue;
            }
            // Fory wants collection and map serializers for collection and map classes
            if (java.util.Collection.class.isAssignableFrom(c)) {
                fory.registerSerializer(c, r -> new RefusingCollectionSerializer<>(r, c));
            } else if (Map.class.isAssignableFrom(c)) {
                fory.registerSerializer(c, r -> new RefusingMapSerializer<>(r, c));
            } else {
                fory.registerSerializer(c, new RefusingSerializer<>(fory.getConfig(), c));
            }
        }
    }

    /** Marks an object written through its writeReplace: the class that follows it is checked by name. */
    private static final String REPLACE_STUB = "org.apache.fory.serializer.ReplaceResolveSerializer$ReplaceStub";

    static List<Class<?>> builtInClasses(Fory fory) {
        return ((org.apache.fory.resolver.ClassResolver) fory.getTypeResolver()).getRegisteredClasses();
    }

    /** The classes a reader with the default policy would read (for tests). */
    static List<String> builtInClassesAllowedByDefault() {
        Instance i = create(LoadOptions.defaults());
        List<String> names = new ArrayList<>();
        for (Class<?> c : builtInClasses(i.fory)) {
            if (!c.isPrimitive()
                    && !c.getName().equals(REPLACE_STUB)
                    && Allowlist.isAllowed(LoadOptions.defaults(), c.getName())) {
                names.add(c.getName());
            }
        }
        return names;
    }

    /** Stands in for a built-in class that the policy does not allow: reading one is refused. */
    static final class RefusingSerializer<T> extends Serializer<T> {
        RefusingSerializer(Config config, Class<T> type) {
            super(config, type);
        }

        @Override
        public void write(WriteContext ctx, T value) {
            throw new IllegalStateException("a reader does not write " + type.getName());
        }

        @Override
        public T read(ReadContext ctx) {
            throw new Refused(type.getName());
        }
    }

    /** {@link RefusingSerializer} for a collection class (no code-generation hook: every read goes through it). */
    static final class RefusingCollectionSerializer<T>
            extends org.apache.fory.serializer.collection.CollectionLikeSerializer<T> {
        RefusingCollectionSerializer(org.apache.fory.resolver.TypeResolver resolver, Class<T> type) {
            super(resolver, type, false);
        }

        @Override
        public java.util.Collection<?> onCollectionWrite(WriteContext ctx, T value) {
            throw new IllegalStateException("a reader does not write " + type.getName());
        }

        @Override
        public T read(ReadContext ctx) {
            throw new Refused(type.getName());
        }

        @Override
        public java.util.Collection<?> newCollection(ReadContext ctx, boolean hasGenerics) {
            throw new Refused(type.getName());
        }

        @SuppressWarnings("rawtypes") // Fory's CollectionLikeSerializer declares the raw type
        @Override
        public T onCollectionRead(java.util.Collection collection) {
            throw new Refused(type.getName());
        }
    }

    /** {@link RefusingSerializer} for a map class. */
    static final class RefusingMapSerializer<T> extends org.apache.fory.serializer.collection.MapLikeSerializer<T> {
        RefusingMapSerializer(org.apache.fory.resolver.TypeResolver resolver, Class<T> type) {
            super(resolver, type, false);
        }

        @Override
        public Map<?, ?> onMapWrite(WriteContext ctx, T value) {
            throw new IllegalStateException("a reader does not write " + type.getName());
        }

        @SuppressWarnings("rawtypes") // Fory's MapLikeSerializer declares the raw type
        @Override
        public T onMapCopy(Map map) {
            throw new IllegalStateException("a reader does not copy " + type.getName());
        }

        @Override
        public T read(ReadContext ctx) {
            throw new Refused(type.getName());
        }

        @Override
        public Map<?, ?> newMap(ReadContext ctx, boolean hasGenerics) {
            throw new Refused(type.getName());
        }

        @SuppressWarnings("rawtypes") // as onMapCopy
        @Override
        public T onMapRead(Map map) {
            throw new Refused(type.getName());
        }
    }

    /** {@code Map.entry(k, v)}: key and value, read back as {@code Map.entry}. */
    static final class EntrySerializer extends Serializer<Map.Entry<Object, Object>> {
        EntrySerializer(Config config) {
            super(config, KEY_VALUE_HOLDER);
        }

        @Override
        public void write(WriteContext ctx, Map.Entry<Object, Object> value) {
            ctx.writeRef(value.getKey());
            ctx.writeRef(value.getValue());
        }

        @Override
        public Map.Entry<Object, Object> read(ReadContext ctx) {
            Object k = ctx.readRef();
            Object v = ctx.readRef();
            if (k == null || v == null) {
                throw new CorruptGraph("a Map.entry with a null " + (k == null ? "key" : "value"));
            }
            return Map.entry(k, v);
        }
    }

    private static void register(Fory fory, Class<?> type, Serializer<?> serializer) {
        fory.registerSerializer(type, serializer);
    }

    /** Writes small primitive arrays inline and large ones as a reference into the array table. */
    static final class PrimitiveArraySerializer<T> extends Serializer<T> {
        private final DType dtype;
        private final Instance instance;

        PrimitiveArraySerializer(Config config, Class<T> type, DType dtype, Instance instance) {
            super(config, type);
            this.dtype = dtype;
            this.instance = instance;
        }

        @Override
        public void write(WriteContext ctx, T value) {
            int length = java.lang.reflect.Array.getLength(value);
            if ((long) length * dtype.itemSize() >= INLINE_LIMIT) {
                ctx.writeByte((byte) 1);
                ctx.writeVarUInt32(instance.add(value));
                return;
            }
            ctx.writeByte((byte) 0);
            ctx.writeVarUInt32(length);
            switch (value) {
                case double[] a -> {
                    for (double v : a) {
                        ctx.writeFloat64(v);
                    }
                }
                case float[] a -> {
                    for (float v : a) {
                        ctx.writeFloat32(v);
                    }
                }
                case long[] a -> {
                    for (long v : a) {
                        ctx.writeInt64(v);
                    }
                }
                case int[] a -> {
                    for (int v : a) {
                        ctx.writeInt32(v);
                    }
                }
                case short[] a -> {
                    for (short v : a) {
                        ctx.writeInt16(v);
                    }
                }
                case char[] a -> {
                    for (char v : a) {
                        ctx.writeChar(v);
                    }
                }
                case byte[] a -> {
                    for (byte v : a) {
                        ctx.writeByte(v);
                    }
                }
                case boolean[] a -> {
                    for (boolean v : a) {
                        ctx.writeBoolean(v);
                    }
                }
                default -> throw new IllegalStateException("not a primitive array: " + value.getClass());
            }
        }

        @Override
        public T read(ReadContext ctx) {
            int kind = ctx.readByte();
            if (kind == 1) {
                return instance.take(ctx.readVarUInt32(), type);
            }
            if (kind != 0) {
                throw new CorruptGraph("array kind " + kind + " (expected 0 inline or 1 table)");
            }
            int length = ctx.readVarUInt32();
            MemoryBuffer buf = ctx.getBuffer();
            if (length < 0 || (long) length * dtype.itemSize() > buf.size() - buf.readerIndex()) {
                throw new CorruptGraph("inline array of " + length + " elements runs past the object stream");
            }
            Object out = java.lang.reflect.Array.newInstance(type.getComponentType(), length);
            switch (out) {
                case double[] a -> {
                    for (int i = 0; i < length; i++) {
                        a[i] = ctx.readFloat64();
                    }
                }
                case float[] a -> {
                    for (int i = 0; i < length; i++) {
                        a[i] = ctx.readFloat32();
                    }
                }
                case long[] a -> {
                    for (int i = 0; i < length; i++) {
                        a[i] = ctx.getBuffer().readInt64();
                    }
                }
                case int[] a -> {
                    for (int i = 0; i < length; i++) {
                        a[i] = ctx.readInt32();
                    }
                }
                case short[] a -> {
                    for (int i = 0; i < length; i++) {
                        a[i] = ctx.readInt16();
                    }
                }
                case char[] a -> {
                    for (int i = 0; i < length; i++) {
                        a[i] = ctx.readChar();
                    }
                }
                case byte[] a -> {
                    for (int i = 0; i < length; i++) {
                        a[i] = ctx.readByte();
                    }
                }
                case boolean[] a -> {
                    for (int i = 0; i < length; i++) {
                        a[i] = ctx.readBoolean();
                    }
                }
                default -> throw new IllegalStateException("not a primitive array: " + type);
            }
            return type.cast(out);
        }
    }

    /** Writes every NdArray as a reference into the array table. */
    static final class NdArraySerializer extends Serializer<NdArray> {
        private final Instance instance;

        NdArraySerializer(Config config, Instance instance) {
            super(config, NdArray.class);
            this.instance = instance;
        }

        @Override
        public void write(WriteContext ctx, NdArray value) {
            ctx.writeVarUInt32(instance.add(value));
        }

        @Override
        public NdArray read(ReadContext ctx) {
            return instance.take(ctx.readVarUInt32(), NdArray.class);
        }
    }
}
