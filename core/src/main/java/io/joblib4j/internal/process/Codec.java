package io.joblib4j.internal.process;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.util.function.UnaryOperator;

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
    public static byte[] encode(Object value, UnaryOperator<Object> replace) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
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
    public static Object decode(byte[] bytes, UnaryOperator<Object> resolve) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new In(new ByteArrayInputStream(bytes), resolve)) {
            return in.readObject();
        }
    }

    private static final class Out extends ObjectOutputStream {
        private final UnaryOperator<Object> replace;

        Out(OutputStream out, UnaryOperator<Object> replace) throws IOException {
            super(out);
            this.replace = replace;
            if (replace != null) {
                enableReplaceObject(true);
            }
        }

        @Override
        protected Object replaceObject(Object obj) {
            return replace.apply(obj);
        }
    }

    private static final class In extends ObjectInputStream {
        private final UnaryOperator<Object> resolve;

        In(InputStream in, UnaryOperator<Object> resolve) throws IOException {
            super(in);
            this.resolve = resolve;
            if (resolve != null) {
                enableResolveObject(true);
            }
        }

        @Override
        protected Object resolveObject(Object obj) {
            return resolve.apply(obj);
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
