package io.joblib4j.multiprocessing;

import io.joblib4j.internal.process.ArrayFiles;
import io.joblib4j.internal.process.Codec;
import io.joblib4j.internal.process.SharedArrayRef;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** Helpers of the shared objects: their serialized values, replies, timeouts. */
final class Shared {
    /** Primitive arrays in a queue item or a pipe message above this size travel through a shared-memory file. */
    static final long LARGE_ARRAY_BYTES = 1L << 20;

    private static final String ITEM_FILE = "item-";
    private static final java.util.concurrent.atomic.AtomicLong COUNTER = new java.util.concurrent.atomic.AtomicLong();

    private Shared() {}

    /**
     * Serializes a value sent to another process through the hub of {@code ref}; primitive arrays larger than 1 MiB
     * inside it are written to shared-memory files in the hub's folder, which the receiver reads and deletes.
     */
    static byte[] encode(Object value, String what, HubRef ref) {
        Objects.requireNonNull(value, what);
        byte[] plain = simple(value);
        if (plain != null) {
            return plain;
        }
        // the hub's socket is a file in the hub's folder
        Path folder =
                Objects.requireNonNull(Path.of(ref.socket()).toAbsolutePath().getParent(), "hub folder");
        try {
            return Codec.encode(value, o -> shareLarge(o, folder));
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException(
                    what + " of class " + value.getClass().getName() + " cannot be sent to another process: "
                            + e.getMessage() + " is not serializable (make it Serializable, or send its data)",
                    e);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " cannot be serialized: " + e, e);
        }
    }

    /**
     * Serializes a value as it is, large arrays included (for values the hub itself deserializes, as a map's).
     */
    static byte[] encodePlain(Object value, String what) {
        Objects.requireNonNull(value, what);
        try {
            return Codec.encode(value, null);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException(
                    what + " of class " + value.getClass().getName() + " cannot be sent to another process: "
                            + e.getMessage() + " is not serializable (make it Serializable, or send its data)",
                    e);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " cannot be serialized: " + e, e);
        }
    }

    /**
     * Writes a large array to a file of {@code folder}, the folder of the hub that hosts the queue or pipe: the file
     * outlives the sender (a producer may exit before its items are taken) and goes with the hub's process.
     */
    private static Object shareLarge(Object obj, Path folder) {
        if (obj == null
                || !obj.getClass().isArray()
                || !obj.getClass().componentType().isPrimitive()) {
            return obj;
        }
        long bytes = ArrayFiles.byteSize(obj);
        if (bytes <= LARGE_ARRAY_BYTES) {
            return obj;
        }
        Path file = folder.resolve(ITEM_FILE + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet());
        try {
            return ArrayFiles.write(obj, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write an array of " + bytes + " bytes to " + file + ": " + e, e);
        }
    }

    // The simplest values (the most frequent queue items and messages) are written as a tag and their bytes:
    // Java serialization of an Integer is about 80 bytes and two class descriptors to write and to read. A Java
    // serialization stream starts with 0xACED, which no tag is.
    private static final byte T_INT = 1;
    private static final byte T_LONG = 2;
    private static final byte T_DOUBLE = 3;
    private static final byte T_STRING = 4;
    private static final byte T_BYTES = 5;

    /** {@code value} as a tag and its bytes if it is an Integer, Long, Double, String or small byte[]; else null. */
    private static byte @Nullable [] simple(Object value) {
        Class<?> c = value.getClass();
        // the bytes by hand, not through a ByteBuffer: a producer's first thousands of items run in the interpreter
        if (c == Integer.class) {
            int v = (Integer) value;
            return new byte[] {T_INT, (byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        }
        if (c == Long.class) {
            return tagged(T_LONG, (Long) value);
        }
        if (c == Double.class) {
            return tagged(T_DOUBLE, Double.doubleToRawLongBits((Double) value));
        }
        if (c == String.class) {
            byte[] utf8 = ((String) value).getBytes(StandardCharsets.UTF_8);
            byte[] out = new byte[utf8.length + 1];
            out[0] = T_STRING;
            System.arraycopy(utf8, 0, out, 1, utf8.length);
            return out;
        }
        if (c == byte[].class && ((byte[]) value).length <= LARGE_ARRAY_BYTES) {
            byte[] b = (byte[]) value;
            byte[] out = new byte[b.length + 1];
            out[0] = T_BYTES;
            System.arraycopy(b, 0, out, 1, b.length);
            return out;
        }
        return null;
    }

    private static byte[] tagged(byte tag, long v) {
        byte[] out = new byte[9];
        out[0] = tag;
        for (int i = 8; i > 0; i--) {
            out[i] = (byte) v;
            v >>>= 8;
        }
        return out;
    }

    private static long longAt(byte[] b) {
        long v = 0;
        for (int i = 1; i <= 8; i++) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        return v;
    }

    /** Deserializes what {@link #encode} wrote, reading (then deleting) the files of its large arrays. */
    static Object decode(byte[] bytes) {
        if (bytes.length > 0) {
            switch (bytes[0]) {
                case T_INT -> {
                    return (bytes[1] << 24) | ((bytes[2] & 0xFF) << 16) | ((bytes[3] & 0xFF) << 8) | (bytes[4] & 0xFF);
                }
                case T_LONG -> {
                    return longAt(bytes);
                }
                case T_DOUBLE -> {
                    return Double.longBitsToDouble(longAt(bytes));
                }
                case T_STRING -> {
                    return new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8);
                }
                case T_BYTES -> {
                    return Arrays.copyOfRange(bytes, 1, bytes.length);
                }
                default -> {
                    // Java serialization
                }
            }
        }
        try {
            return Codec.decode(bytes, Shared::resolveLarge);
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("cannot deserialize a value received from another process: " + e, e);
        }
    }

    private static Object resolveLarge(Object obj) {
        if (obj instanceof SharedArrayRef ref) {
            try {
                Object array = ArrayFiles.read(ref);
                deleteItemFile(Path.of(ref.path()));
                return array;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the shared array " + ref.path() + ": " + e, e);
            }
        }
        return obj;
    }

    /** Deletes a large item's file, only if it is one: in a joblib4j shared-memory folder, named as ours are. */
    private static void deleteItemFile(Path file) {
        Path parent = file.getParent();
        if (parent == null
                || !file.getFileName().toString().startsWith(ITEM_FILE)
                || !parent.getFileName().toString().startsWith("joblib4j-")
                || !parent.getFileName().toString().contains("-hub-")) {
            return;
        }
        try {
            java.nio.file.Files.deleteIfExists(file);
        } catch (IOException e) {
            // its creator's folder is collected when it exits
        }
    }

    /** Throws for a reply that is neither OK nor TIMEOUT. */
    static Wire.Reply check(Wire.Reply r, HubRef ref) {
        switch (r.status()) {
            case Wire.OK, Wire.TIMEOUT -> {
                return r;
            }
            case Wire.CLOSED -> throw new SharedObjectGoneException(ref + " is gone: it was closed by its owner");
            default -> throw new IllegalStateException(ref + ": " + HubClient.describe(r));
        }
    }

    /** A timeout as the hub takes it: nanoseconds, at least 0. */
    static long nanos(long timeout, TimeUnit unit) {
        return Math.max(0, unit.toNanos(timeout));
    }

    static long nanos(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            return 0;
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException e) {
            return -1;
        }
    }
}
