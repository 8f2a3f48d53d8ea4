package io.joblib4j.internal;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A compact form for sequences of the values tiny tasks take and return most often (null, boxed primitives and short
 * strings), used where batches and their results cross a process boundary: each value is a tag byte and its bits,
 * without the class descriptors, handles and reflective field access of JDK serialization, which cost several times
 * a tiny task. Sequences holding anything else keep JDK serialization.
 *
 * <p>Equal values come back equal, not as shared instances: two slots that held one {@code String} object hold two
 * equal strings after the trip (JDK serialization would share one instance), which only identity comparisons of
 * immutable values could tell apart.
 */
public final class SimpleValues {
    private static final byte NULL = 0;
    private static final byte INTEGER = 1;
    private static final byte LONG = 2;
    private static final byte DOUBLE = 3;
    private static final byte STRING = 4;
    private static final byte TRUE = 5;
    private static final byte FALSE = 6;
    private static final byte FLOAT = 7;
    private static final byte SHORT = 8;
    private static final byte BYTE = 9;
    private static final byte CHARACTER = 10;
    /** Longest string written here: {@link DataOutput#writeUTF} takes at most 65,535 bytes, 3 per char at most. */
    private static final int MAX_STRING = 65_535 / 3;

    private SimpleValues() {}

    /** Whether every value of {@code values} has a compact form. */
    public static boolean writable(@Nullable Object[] values) {
        for (Object v : values) {
            if (!simple(v)) {
                return false;
            }
        }
        return true;
    }

    /** Whether every value of {@code values} has a compact form. */
    public static boolean writable(List<?> values) {
        for (int i = 0, n = values.size(); i < n; i++) {
            if (!simple(values.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean simple(@Nullable Object v) {
        if (v == null) {
            return true;
        }
        Class<?> c = v.getClass();
        return c == Integer.class
                || c == Double.class
                || c == Long.class
                || (c == String.class && ((String) v).length() <= MAX_STRING)
                || c == Boolean.class
                || c == Float.class
                || c == Short.class
                || c == Byte.class
                || c == Character.class;
    }

    /** Writes the count and the values of a sequence that {@link #writable} accepted. */
    public static void write(DataOutput out, @Nullable Object[] values) throws IOException {
        out.writeInt(values.length);
        for (Object v : values) {
            writeOne(out, v);
        }
    }

    /** Writes the count and the values of a sequence that {@link #writable} accepted. */
    public static void write(DataOutput out, List<?> values) throws IOException {
        int n = values.size();
        out.writeInt(n);
        for (int i = 0; i < n; i++) {
            writeOne(out, values.get(i));
        }
    }

    /** Reads what {@link #write} wrote. */
    public static @Nullable Object[] read(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new InvalidObjectException("a sequence of " + n + " values");
        }
        // a corrupt count must not allocate more than the values that actually arrive: grow as they are read
        List<@Nullable Object> values = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            values.add(readOne(in));
        }
        return values.toArray();
    }

    private static void writeOne(DataOutput out, @Nullable Object v) throws IOException {
        switch (v) {
            case null -> out.writeByte(NULL);
            case Integer i -> {
                out.writeByte(INTEGER);
                out.writeInt(i);
            }
            case Double d -> {
                out.writeByte(DOUBLE);
                out.writeLong(Double.doubleToRawLongBits(d));
            }
            case Long l -> {
                out.writeByte(LONG);
                out.writeLong(l);
            }
            case String s -> {
                out.writeByte(STRING);
                out.writeUTF(s);
            }
            case Boolean b -> out.writeByte(b ? TRUE : FALSE);
            case Float f -> {
                out.writeByte(FLOAT);
                out.writeInt(Float.floatToRawIntBits(f));
            }
            case Short s -> {
                out.writeByte(SHORT);
                out.writeShort(s);
            }
            case Byte b -> {
                out.writeByte(BYTE);
                out.writeByte(b);
            }
            case Character c -> {
                out.writeByte(CHARACTER);
                out.writeChar(c);
            }
            default ->
                throw new IllegalArgumentException(
                        "no compact form for a " + v.getClass().getName());
        }
    }

    private static @Nullable Object readOne(DataInput in) throws IOException {
        byte tag = in.readByte();
        return switch (tag) {
            case NULL -> null;
            case INTEGER -> in.readInt();
            case DOUBLE -> Double.longBitsToDouble(in.readLong());
            case LONG -> in.readLong();
            case STRING -> in.readUTF();
            case TRUE -> true;
            case FALSE -> false;
            case FLOAT -> Float.intBitsToFloat(in.readInt());
            case SHORT -> in.readShort();
            case BYTE -> in.readByte();
            case CHARACTER -> in.readChar();
            default -> throw new InvalidObjectException("unknown value tag " + tag);
        };
    }
}
