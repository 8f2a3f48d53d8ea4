package io.joblib4j.array;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The element type of an {@link NdArray}, with the NumPy type string it corresponds to ({@code "<f8"} for
 * {@link #FLOAT64}). Every element is stored in {@link #itemSize()} bytes.
 */
public enum DType {
    /** One byte per element, 0 is false, anything else true (NumPy {@code bool}, {@code "|b1"}). */
    BOOL(1, 'b', 1, boolean[].class),
    /** Signed 8-bit integer ({@code int8}, Java {@code byte}). */
    INT8(2, 'i', 1, byte[].class),
    /** Unsigned 8-bit integer ({@code uint8}); read as 0..255. */
    UINT8(3, 'u', 1, null),
    /** Signed 16-bit integer ({@code int16}, Java {@code short}). */
    INT16(4, 'i', 2, short[].class),
    /** Unsigned 16-bit integer ({@code uint16}, Java {@code char}). */
    UINT16(5, 'u', 2, char[].class),
    /** Signed 32-bit integer ({@code int32}, Java {@code int}). */
    INT32(6, 'i', 4, int[].class),
    /** Unsigned 32-bit integer ({@code uint32}); read as 0..2^32-1 through {@code getLong}. */
    UINT32(7, 'u', 4, null),
    /** Signed 64-bit integer ({@code int64}, Java {@code long}). */
    INT64(8, 'i', 8, long[].class),
    /** Unsigned 64-bit integer ({@code uint64}); {@code getLong} returns the same 64 bits. */
    UINT64(9, 'u', 8, null),
    /** IEEE 754 binary32 ({@code float32}, Java {@code float}). */
    FLOAT32(10, 'f', 4, float[].class),
    /** IEEE 754 binary64 ({@code float64}, Java {@code double}). */
    FLOAT64(11, 'f', 8, double[].class);

    private final int code;
    private final char kind;
    private final int itemSize;
    private final @Nullable Class<?> javaArrayType;

    DType(int code, char kind, int itemSize, @Nullable Class<?> javaArrayType) {
        this.code = code;
        this.kind = kind;
        this.itemSize = itemSize;
        this.javaArrayType = javaArrayType;
    }

    /** Bytes per element. */
    public int itemSize() {
        return itemSize;
    }

    /** The stable one-byte code that identifies this type in joblib4j dump files. */
    public int code() {
        return code;
    }

    /** True for {@link #FLOAT32} and {@link #FLOAT64}. */
    public boolean isFloatingPoint() {
        return kind == 'f';
    }

    /**
     * The Java primitive array class whose elements have exactly this type ({@code double[]} for FLOAT64,
     * {@code char[]} for UINT16, {@code boolean[]} for BOOL), or null for UINT8, UINT32 and UINT64.
     */
    public @Nullable Class<?> javaArrayType() {
        return javaArrayType;
    }

    /** The dtype whose code is {@code code}. @throws IllegalArgumentException for an unknown code */
    public static DType ofCode(int code) {
        for (DType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown dtype code " + code + " (expected 1.." + values().length + ")");
    }

    /**
     * The dtype of a Java primitive array class ({@code double[].class} -> FLOAT64).
     *
     * @throws IllegalArgumentException when {@code arrayType} is not a primitive array type
     */
    public static DType ofJavaArray(Class<?> arrayType) {
        for (DType t : values()) {
            if (t.javaArrayType == arrayType) {
                return t;
            }
        }
        throw new IllegalArgumentException("not a primitive array type: " + arrayType.getName()
                + " (expected boolean[], byte[], short[], char[], int[], long[], float[] or double[])");
    }

    /** The NumPy type string in the given byte order, e.g. {@code "<f8"}, {@code ">i4"}, {@code "|u1"}. */
    public String numpyDescr(ByteOrder order) {
        char endian = itemSize == 1 ? '|' : order == ByteOrder.LITTLE_ENDIAN ? '<' : '>';
        return "" + endian + kind + itemSize;
    }

    /**
     * Parses a NumPy type string ({@code "<f8"}, {@code "|b1"}, {@code "=i4"}, {@code "u1"}).
     *
     * @return the dtype and its byte order
     * @throws IllegalArgumentException for a type that NdArray does not support (complex, strings, objects,
     *                                  records, datetimes, float16), naming it
     */
    public static Parsed parseNumpyDescr(String descr) {
        if (descr == null || descr.length() < 2) {
            throw new IllegalArgumentException("unsupported NumPy dtype '" + descr + "'");
        }
        char endian = descr.charAt(0);
        String rest = descr;
        ByteOrder order = ByteOrder.nativeOrder();
        if (endian == '<' || endian == '>' || endian == '|' || endian == '=') {
            rest = descr.substring(1);
            if (endian == '<') {
                order = ByteOrder.LITTLE_ENDIAN;
            } else if (endian == '>') {
                order = ByteOrder.BIG_ENDIAN;
            }
        }
        if (rest.length() >= 2) {
            char kind = rest.charAt(0);
            int size;
            try {
                size = Integer.parseInt(rest.substring(1));
            } catch (NumberFormatException e) {
                size = -1;
            }
            for (DType t : values()) {
                if (t.kind == kind && t.itemSize == size) {
                    return new Parsed(t, order);
                }
            }
            if (kind == '?') {
                return new Parsed(BOOL, order);
            }
        } else if (rest.equals("?")) {
            return new Parsed(BOOL, order);
        }
        throw new IllegalArgumentException("unsupported NumPy dtype '" + descr + "' (supported: bool, int8/16/32/64, "
                + "uint8/16/32/64, float32/64)");
    }

    /** A dtype with the byte order it was declared with. */
    public record Parsed(DType dtype, ByteOrder order) {}

    /** The lower-case NumPy name: {@code float64}, {@code bool}. */
    public String numpyName() {
        return name().toLowerCase(Locale.ROOT);
    }

    ValueLayout layout(ByteOrder order) {
        ValueLayout l = switch (this) {
            case BOOL, INT8, UINT8 -> ValueLayout.JAVA_BYTE;
            case INT16 -> ValueLayout.JAVA_SHORT_UNALIGNED;
            case UINT16 -> ValueLayout.JAVA_CHAR_UNALIGNED;
            case INT32, UINT32 -> ValueLayout.JAVA_INT_UNALIGNED;
            case INT64, UINT64 -> ValueLayout.JAVA_LONG_UNALIGNED;
            case FLOAT32 -> ValueLayout.JAVA_FLOAT_UNALIGNED;
            case FLOAT64 -> ValueLayout.JAVA_DOUBLE_UNALIGNED;
        };
        return l.withOrder(order);
    }
}
