package io.joblib4j.internal.process;

import io.joblib4j.internal.SimpleValues;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.Externalizable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.InvalidObjectException;
import java.io.ObjectInput;
import java.io.ObjectInputStream;
import java.io.ObjectOutput;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Serialization of batches, values and exceptions for the channel: JDK serialization, with a hook that replaces
 * objects on the way out (large arrays by {@link SharedArrayRef}s) and resolves them on the way in.
 *
 * <p>JDK serialization was chosen over Apache Fory for the channel because a worker JVM pays its cost cold on every
 * start: Fory's generated serializers take longer to warm up than the handful of tasks a short call sends (see the
 * process section of BENCHMARKS.md), and lambdas, the most common tasks, travel through
 * {@code SerializedLambda} either way.
 */
public final class Codec {
    private Codec() {}

    /**
     * The first byte of a message holding a list of {@link SimpleValues} (the values of a batch, mostly); a JDK
     * serialization stream starts with {@code 0xAC}.
     */
    private static final byte SIMPLE_LIST = 1;

    /** Non-capturing lambdas and method references decoded so far, by what identifies them (at most 1024). */
    private static final Map<StatelessLambda, Object> LAMBDAS = new ConcurrentHashMap<>();

    private static final int MAX_LAMBDAS = 1024;

    /** Serializes {@code value}, passing every object through {@code replace} first (null: no replacement). */
    public static byte[] encode(Object value, @Nullable UnaryOperator<Object> replace) throws IOException {
        ChunkedBytes bytes = new ChunkedBytes();
        if (replace == null
                && value != null
                && value.getClass() == ArrayList.class
                && SimpleValues.writable((ArrayList<?>) value)) {
            bytes.write(SIMPLE_LIST);
            DataOutputStream out = new DataOutputStream(bytes);
            SimpleValues.write(out, (ArrayList<?>) value);
            out.flush();
            return bytes.toByteArray();
        }
        java.util.function.UnaryOperator<Object> previous =
                replace == null ? null : io.joblib4j.internal.SerializationHook.install(replace);
        try (ObjectOutputStream out = new Out(bytes, replace)) {
            out.writeObject(value);
        } finally {
            if (replace != null) {
                io.joblib4j.internal.SerializationHook.install(previous);
            }
        }
        return bytes.toByteArray();
    }

    /** Deserializes what {@link #encode} wrote, passing every object through {@code resolve} (null: none). */
    public static Object decode(byte[] bytes, @Nullable UnaryOperator<Object> resolve)
            throws IOException, ClassNotFoundException {
        if (bytes.length > 0 && bytes[0] == SIMPLE_LIST) {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 1, bytes.length - 1));
            return new ArrayList<>(Arrays.asList(SimpleValues.read(in)));
        }
        In in = new In(new ByteArrayInputStream(bytes), resolve);
        try (in) {
            return in.readObject();
        } catch (ArrayStoreException | ClassCastException e) {
            // A lambda whose defining class is missing stays a SerializedLambda (its readResolve never runs), and
            // fails where it is stored; name the missing class rather than the store.
            String missing = in.missing;
            if (missing == null) {
                throw e;
            }
            throw (InvalidClassException) new InvalidClassException(
                            missing,
                            "the class cannot be found here, so an object of the message (" + e.getMessage()
                                    + ") cannot be rebuilt; this JVM's class path or module path must hold the"
                                    + " application's classes")
                    .initCause(e);
        }
    }

    /**
     * An output buffer of chunks that never copies what it holds while growing (a ByteArrayOutputStream copies its
     * whole content at every doubling, which dominates the cost of serializing a large array).
     */
    private static final class ChunkedBytes extends OutputStream {
        private final java.util.ArrayList<byte[]> full = new java.util.ArrayList<>();
        private byte[] current = new byte[512];
        private int pos;
        private long total;

        @Override
        public void write(int b) {
            if (pos == current.length) {
                next();
            }
            current[pos++] = (byte) b;
            total++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            while (len > 0) {
                if (pos == current.length) {
                    next();
                }
                int n = Math.min(len, current.length - pos);
                System.arraycopy(b, off, current, pos, n);
                pos += n;
                off += n;
                len -= n;
                total += n;
            }
        }

        private void next() {
            full.add(current);
            current = new byte[Math.min(Math.max(current.length * 2, 512), 1 << 20)];
            pos = 0;
        }

        byte[] toByteArray() {
            if (total > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("a serialized message of " + total + " bytes is too large for the"
                        + " channel; share large arrays through files (maxNbytes) instead");
            }
            byte[] out = new byte[(int) total];
            int at = 0;
            for (byte[] chunk : full) {
                System.arraycopy(chunk, 0, out, at, chunk.length);
                at += chunk.length;
            }
            System.arraycopy(current, 0, out, at, pos);
            return out;
        }
    }

    private static final class Out extends ObjectOutputStream {
        private final @Nullable UnaryOperator<Object> replace;

        Out(OutputStream out, @Nullable UnaryOperator<Object> replace) throws IOException {
            super(out);
            this.replace = replace;
            enableReplaceObject(true);
        }

        @Override
        protected Object replaceObject(Object obj) {
            Object r = replace == null ? obj : replace.apply(obj);
            if (r != obj) {
                return r;
            }
            if (obj instanceof SerializedLambda lambda && lambda.getCapturedArgCount() == 0) {
                // The form itself: the stream does not call writeReplace on what this method returns.
                return new LambdaForm(StatelessLambda.of(lambda));
            }
            return RawArray.wrapIfLarge(obj);
        }
    }

    /**
     * The lambda {@code key} names: decoded once per JVM (through its class's {@code $deserializeLambda$}, as JDK
     * serialization does), then shared. A lambda that captures nothing holds no state, so one instance serves every
     * batch; decoding it again would cost more than a tiny batch's tasks.
     */
    private static Object lambda(StatelessLambda key) throws IOException {
        Object known = LAMBDAS.get(key);
        if (known != null) {
            return known;
        }
        Object decoded = key.decode();
        if (LAMBDAS.size() >= MAX_LAMBDAS) {
            LAMBDAS.clear();
        }
        LAMBDAS.put(key, decoded);
        return decoded;
    }

    /**
     * The serial form of a {@link StatelessLambda}: its strings and its method kind, without the names and types of its
     * nine fields, which a class's own form spells out in every message (a batch is a stream of its own).
     */
    static final class LambdaForm implements Externalizable {
        @Serial
        private static final long serialVersionUID = 1L;

        private @Nullable StatelessLambda lambda;

        /** For deserialization. */
        public LambdaForm() {}

        LambdaForm(StatelessLambda lambda) {
            this.lambda = lambda;
        }

        @Override
        public void writeExternal(ObjectOutput out) throws IOException {
            StatelessLambda l = Objects.requireNonNull(lambda, "lambda");
            for (String str : l.strings()) {
                out.writeUTF(str);
            }
            out.writeByte(l.implMethodKind);
        }

        @Override
        public void readExternal(ObjectInput in) throws IOException {
            String[] v = new String[8];
            for (int i = 0; i < v.length; i++) {
                v[i] = in.readUTF();
            }
            int kind = in.readUnsignedByte();
            // MethodHandleInfo's kinds: REF_getField (1) to REF_invokeInterface (9)
            if (kind < 1 || kind > 9) {
                throw new InvalidObjectException("corrupt lambda " + v[4] + "." + v[5] + ": method kind " + kind);
            }
            lambda = new StatelessLambda(v[0], v[1], v[2], v[3], kind, v[4], v[5], v[6], v[7]);
        }

        @Serial
        private Object readResolve() throws InvalidObjectException {
            if (lambda == null) {
                throw new InvalidObjectException("corrupt lambda: no content");
            }
            return lambda;
        }
    }

    /**
     * A {@link SerializedLambda} that captures nothing, as it travels: what identifies the lambda, without the JDK's
     * replacement of it by the lambda on the way in (which {@link #lambda} caches).
     *
     * <p>A plain class rather than a record: a fresh JVM (a worker, a {@code JvmProcess} child) decodes one of these
     * in its first message, and the JDK builds a record's deserialization constructor and its
     * {@code equals}/{@code hashCode} from method handles spun at first use, which costs a cold JVM tens of
     * milliseconds more than reading the fields of a plain class.
     */
    static final class StatelessLambda implements Serializable {
        @Serial
        private static final long serialVersionUID = 2L;

        private final String capturingClass;
        private final String functionalInterfaceClass;
        private final String functionalInterfaceMethodName;
        private final String functionalInterfaceMethodSignature;
        private final int implMethodKind;
        private final String implClass;
        private final String implMethodName;
        private final String implMethodSignature;
        private final String instantiatedMethodType;

        StatelessLambda(
                String capturingClass,
                String functionalInterfaceClass,
                String functionalInterfaceMethodName,
                String functionalInterfaceMethodSignature,
                int implMethodKind,
                String implClass,
                String implMethodName,
                String implMethodSignature,
                String instantiatedMethodType) {
            this.capturingClass = capturingClass;
            this.functionalInterfaceClass = functionalInterfaceClass;
            this.functionalInterfaceMethodName = functionalInterfaceMethodName;
            this.functionalInterfaceMethodSignature = functionalInterfaceMethodSignature;
            this.implMethodKind = implMethodKind;
            this.implClass = implClass;
            this.implMethodName = implMethodName;
            this.implMethodSignature = implMethodSignature;
            this.instantiatedMethodType = instantiatedMethodType;
        }

        static StatelessLambda of(SerializedLambda l) {
            return new StatelessLambda(
                    l.getCapturingClass(),
                    l.getFunctionalInterfaceClass(),
                    l.getFunctionalInterfaceMethodName(),
                    l.getFunctionalInterfaceMethodSignature(),
                    l.getImplMethodKind(),
                    l.getImplClass(),
                    l.getImplMethodName(),
                    l.getImplMethodSignature(),
                    l.getInstantiatedMethodType());
        }

        private String[] strings() {
            return new String[] {
                capturingClass,
                functionalInterfaceClass,
                functionalInterfaceMethodName,
                functionalInterfaceMethodSignature,
                implClass,
                implMethodName,
                implMethodSignature,
                instantiatedMethodType
            };
        }

        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof StatelessLambda other
                    && implMethodKind == other.implMethodKind
                    && Arrays.equals(strings(), other.strings());
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(strings()) + implMethodKind;
        }

        @Override
        public String toString() {
            return "StatelessLambda[" + implClass + "." + implMethodName + implMethodSignature + " as "
                    + functionalInterfaceClass + "]";
        }

        /**
         * The lambda itself: made by its capturing class's {@code $deserializeLambda$}, as JDK serialization does
         * (called directly when the class's package is open to joblib4j, as the class path's are; else through a
         * JDK serialization round trip of its {@link SerializedLambda}, which needs no access but costs a cold JVM
         * a second stream and the digest of a computed serialVersionUID).
         */
        Object decode() throws IOException {
            String name = capturingClass.replace('/', '.');
            Class<?> capturing;
            try {
                capturing = loadClass(name);
            } catch (ClassNotFoundException e) {
                throw new InvalidClassException(name, "the class of a lambda in the message cannot be found: " + e);
            }
            SerializedLambda lambda = new SerializedLambda(
                    capturing,
                    functionalInterfaceClass,
                    functionalInterfaceMethodName,
                    functionalInterfaceMethodSignature,
                    implMethodKind,
                    implClass,
                    implMethodName,
                    implMethodSignature,
                    instantiatedMethodType,
                    new Object[0]);
            Object direct = deserializeDirectly(capturing, lambda);
            if (direct != null) {
                return direct;
            }
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(lambda);
            }
            try (ObjectInputStream in = new In(new ByteArrayInputStream(bytes.toByteArray()), null)) {
                return in.readObject();
            } catch (ClassNotFoundException e) {
                throw new InvalidClassException(name, "a class of a lambda in the message cannot be found: " + e);
            }
        }

        /** {@code capturing.$deserializeLambda$(lambda)}, or null when it cannot be called from here. */
        private static @Nullable Object deserializeDirectly(Class<?> capturing, SerializedLambda lambda)
                throws IOException {
            java.lang.reflect.Method m;
            try {
                m = capturing.getDeclaredMethod("$deserializeLambda$", SerializedLambda.class);
                m.setAccessible(true);
            } catch (NoSuchMethodException | RuntimeException e) {
                return null; // not open to joblib4j (a named module), or no such method: the JDK's way says why
            }
            try {
                return m.invoke(null, lambda);
            } catch (java.lang.reflect.InvocationTargetException e) {
                Throwable cause = e.getCause();
                InvalidObjectException failure = new InvalidObjectException("the lambda " + lambda.getImplClass() + "."
                        + lambda.getImplMethodName() + " of the message cannot be made in this JVM: " + cause);
                failure.initCause(cause);
                throw failure;
            } catch (IllegalAccessException e) {
                return null;
            }
        }

        private static Class<?> loadClass(String name) throws ClassNotFoundException {
            ClassLoader context = Thread.currentThread().getContextClassLoader();
            try {
                return Class.forName(name, false, Codec.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                if (context == null) {
                    throw e;
                }
                return Class.forName(name, false, context);
            }
        }
    }

    private static final class In extends ObjectInputStream {
        /** The last class of the stream that could not be found, or null. */
        @Nullable
        String missing;

        private final @Nullable UnaryOperator<Object> resolve;

        In(InputStream in, @Nullable UnaryOperator<Object> resolve) throws IOException {
            super(in);
            this.resolve = resolve;
            enableResolveObject(true);
        }

        @Override
        protected Object resolveObject(Object obj) throws IOException {
            if (obj instanceof StatelessLambda lambda) {
                return lambda(lambda);
            }
            return resolve == null ? obj : resolve.apply(obj);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            try {
                return super.resolveClass(desc);
            } catch (ClassNotFoundException e) {
                ClassLoader context = Thread.currentThread().getContextClassLoader();
                try {
                    if (context == null) {
                        throw e;
                    }
                    return Class.forName(desc.getName(), false, context);
                } catch (ClassNotFoundException again) {
                    missing = desc.getName();
                    throw again;
                }
            }
        }
    }
}
