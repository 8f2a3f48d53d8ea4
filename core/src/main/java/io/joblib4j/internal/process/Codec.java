package io.joblib4j.internal.process;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
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

    /** Serializes {@code value}, passing every object through {@code replace} first (null: no replacement). */
    public static byte[] encode(Object value, @Nullable UnaryOperator<Object> replace) throws IOException {
        ChunkedBytes bytes = new ChunkedBytes();
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
        try (ObjectInputStream in = new In(new ByteArrayInputStream(bytes), resolve)) {
            return in.readObject();
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
            return r == obj ? RawArray.wrapIfLarge(obj) : r;
        }
    }

    private static final class In extends ObjectInputStream {
        private final @Nullable UnaryOperator<Object> resolve;

        In(InputStream in, @Nullable UnaryOperator<Object> resolve) throws IOException {
            super(in);
            this.resolve = resolve;
            if (resolve != null) {
                enableResolveObject(true);
            }
        }

        @Override
        protected Object resolveObject(Object obj) {
            // enabled only when resolve is set
            return resolve == null ? obj : resolve.apply(obj);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            try {
                return super.resolveClass(desc);
            } catch (ClassNotFoundException e) {
                ClassLoader context = Thread.currentThread().getContextClassLoader();
                if (context == null) {
                    throw e;
                }
                return Class.forName(desc.getName(), false, context);
            }
        }
    }
}
