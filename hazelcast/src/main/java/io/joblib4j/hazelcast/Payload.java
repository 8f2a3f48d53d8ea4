package io.joblib4j.hazelcast;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The serialized form of what a batch sends to a member: Java serialization in which every primitive array larger
 * than a threshold (an {@code NdArray}'s data too, which travels as a {@code byte[]}) is replaced by an
 * {@link ArrayRef}, its content hash; the member resolves the hash to the array it fetched once for the call.
 */
final class Payload {
    private Payload() {}

    /** Stands for a large array published under its content hash. */
    record ArrayRef(String hash, long bytes) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    /** Publishes an array under a key and returns the key; called once per distinct array per call at most. */
    interface Publisher {
        ArrayRef publish(Object array, long bytes);
    }

    static long byteSize(Object array) {
        Class<?> c = array.getClass().getComponentType();
        long n = Array.getLength(array);
        if (c == byte.class || c == boolean.class) {
            return n;
        }
        if (c == short.class || c == char.class) {
            return 2 * n;
        }
        if (c == int.class || c == float.class) {
            return 4 * n;
        }
        return 8 * n;
    }

    static byte[] write(Object value, @Nullable Long maxNbytes, @Nullable Publisher publisher) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        long max = maxNbytes == null ? Long.MAX_VALUE : maxNbytes;
        try (ObjectOutputStream out = new ObjectOutputStream(bytes) {
            {
                enableReplaceObject(maxNbytes != null && publisher != null);
            }

            @Override
            protected Object replaceObject(Object obj) {
                if (obj != null
                        && obj.getClass().isArray()
                        && obj.getClass().getComponentType().isPrimitive()) {
                    long size = byteSize(obj);
                    if (size > max && publisher != null) {
                        return publisher.publish(obj, size);
                    }
                }
                return obj;
            }
        }) {
            out.writeObject(value);
        } catch (IOException e) {
            throw new UncheckedIOException("could not serialize a batch for the cluster: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    static Object read(byte[] payload, ClassLoader loader, Function<ArrayRef, Object> arrays)
            throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(payload)) {
            {
                enableResolveObject(true);
                setObjectInputFilter(Security.JDK_FILTER);
            }

            @Override
            protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                if (Security.refused(desc.getName())) {
                    throw new InvalidObjectException("refused to deserialize " + desc.getName()
                            + ": the cluster's deserialization filter " + "blocks it (a known gadget class)");
                }
                try {
                    return Class.forName(desc.getName(), false, loader);
                } catch (ClassNotFoundException e) {
                    return super.resolveClass(desc);
                }
            }

            @Override
            protected Object resolveObject(Object obj) {
                return obj instanceof ArrayRef ref ? arrays.apply(ref) : obj;
            }
        }) {
            return in.readObject();
        }
    }
}
