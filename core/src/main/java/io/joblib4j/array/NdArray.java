package io.joblib4j.array;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An n-dimensional array of primitive elements in C (row-major) order over a {@link MemorySegment}: the heap
 * (for example a wrapped {@code double[]}, without copying), off-heap memory, or a memory-mapped file.
 *
 * <p>An NdArray is a view: {@link #slice(long, long)} and {@link #reshape(long...)} share the memory of the array
 * they come from, and writes through any view are seen by all of them (and, for a {@link MmapMode#READ_WRITE}
 * mapping, by every process that maps the same file). Writing to a {@link MmapMode#READ_ONLY} mapping throws
 * {@link IllegalArgumentException} ("Attempt to write a read-only segment"). Instances are not synchronized: concurrent writers to overlapping
 * elements need outside synchronization, as for a plain Java array.
 *
 * <p><b>Travelling between JVMs.</b> An NdArray is {@link Serializable}: Java serialization (and the dump format
 * of {@code Joblib.dump}) carries its dtype, shape and element bytes, so the receiver gets a heap copy. A
 * file-mapped array can instead be passed by reference: {@link #mappedRef()} gives a small serializable
 * {@link MappedRef} (file, offset, dtype, byte order, shape, mode) that another JVM on the same machine turns back
 * into a mapping of the same bytes with {@link MappedRef#map()}.
 */
public final class NdArray implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient DType dtype;
    private final transient long[] shape;
    private final transient ByteOrder order;
    private final transient MemorySegment segment;
    private final transient @Nullable Path file;
    private final transient long fileOffset;
    private final transient @Nullable MmapMode mode;
    /** The element count, and whether the elements are in the other byte order than this machine's. */
    private final transient long size;

    private final transient boolean swapped;
    /** Made by {@link #shared}: serialized as a reference to its file, not as its bytes. */
    private final transient boolean shared;

    private NdArray(
            DType dtype,
            long[] shape,
            ByteOrder order,
            MemorySegment segment,
            @Nullable Path file,
            long fileOffset,
            @Nullable MmapMode mode) {
        this(dtype, shape, order, segment, file, fileOffset, mode, false);
    }

    private NdArray(
            DType dtype,
            long[] shape,
            ByteOrder order,
            MemorySegment segment,
            @Nullable Path file,
            long fileOffset,
            @Nullable MmapMode mode,
            boolean shared) {
        this.shared = shared;
        this.dtype = dtype;
        this.shape = shape;
        this.order = order;
        this.segment = segment;
        this.file = file;
        this.fileOffset = fileOffset;
        this.mode = mode;
        this.size = count(shape);
        this.swapped = order != ByteOrder.nativeOrder() && dtype.itemSize() > 1;
    }

    // ---------------------------------------------------------------- factories

    /** A 1-d FLOAT64 view of {@code data}, without copying: writes through either are seen by both. */
    public static NdArray wrap(double[] data) {
        return wrap(data, data.length);
    }

    /**
     * A FLOAT64 view of {@code data} with the given shape, without copying.
     *
     * @throws IllegalArgumentException when the shape's element count differs from {@code data.length}
     */
    public static NdArray wrap(double[] data, long... shape) {
        return wrapSegment(DType.FLOAT64, MemorySegment.ofArray(data), data.length, shape);
    }

    /** A FLOAT32 view of {@code data} with the given shape (1-d when none), without copying. */
    public static NdArray wrap(float[] data, long... shape) {
        return wrapSegment(DType.FLOAT32, MemorySegment.ofArray(data), data.length, shape);
    }

    /** An INT64 view of {@code data} with the given shape (1-d when none), without copying. */
    public static NdArray wrap(long[] data, long... shape) {
        return wrapSegment(DType.INT64, MemorySegment.ofArray(data), data.length, shape);
    }

    /** An INT32 view of {@code data} with the given shape (1-d when none), without copying. */
    public static NdArray wrap(int[] data, long... shape) {
        return wrapSegment(DType.INT32, MemorySegment.ofArray(data), data.length, shape);
    }

    /** An INT16 view of {@code data} with the given shape (1-d when none), without copying. */
    public static NdArray wrap(short[] data, long... shape) {
        return wrapSegment(DType.INT16, MemorySegment.ofArray(data), data.length, shape);
    }

    /** A UINT16 view of {@code data} with the given shape (1-d when none), without copying. */
    public static NdArray wrap(char[] data, long... shape) {
        return wrapSegment(DType.UINT16, MemorySegment.ofArray(data), data.length, shape);
    }

    /** An INT8 view of {@code data} with the given shape (1-d when none), without copying. */
    public static NdArray wrap(byte[] data, long... shape) {
        return wrapSegment(DType.INT8, MemorySegment.ofArray(data), data.length, shape);
    }

    /**
     * A BOOL array holding a copy of {@code data} (Java has no view of a {@code boolean[]} as memory), with the
     * given shape (1-d when none).
     */
    public static NdArray copyOf(boolean[] data, long... shape) {
        byte[] bytes = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            bytes[i] = (byte) (data[i] ? 1 : 0);
        }
        return wrapSegment(DType.BOOL, MemorySegment.ofArray(bytes), data.length, shape);
    }

    /**
     * A view of any Java primitive array ({@code double[]}, {@code int[]}, ...; a {@code boolean[]} is copied).
     *
     * @throws IllegalArgumentException when {@code array} is not a primitive array
     */
    public static NdArray ofJavaArray(Object array) {
        return switch (array) {
            case double[] a -> wrap(a);
            case float[] a -> wrap(a);
            case long[] a -> wrap(a);
            case int[] a -> wrap(a);
            case short[] a -> wrap(a);
            case char[] a -> wrap(a);
            case byte[] a -> wrap(a);
            case boolean[] a -> copyOf(a);
            case null -> throw new IllegalArgumentException("array is null");
            default ->
                throw new IllegalArgumentException(
                        "not a primitive array: " + array.getClass().getName());
        };
    }

    /**
     * A view of {@code segment} as an array of {@code dtype} elements in {@code order} with {@code shape}.
     *
     * @throws IllegalArgumentException when the segment's size is not exactly the shape's element count times the
     *                                  item size, or a dimension is negative
     */
    public static NdArray of(DType dtype, ByteOrder order, MemorySegment segment, long... shape) {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(order, "order");
        long[] s = checkShape(shape);
        long bytes = Math.multiplyExact(count(s), dtype.itemSize());
        if (segment.byteSize() != bytes) {
            throw new IllegalArgumentException("segment of " + segment.byteSize() + " bytes does not hold a "
                    + dtype.numpyName() + " array of shape " + Arrays.toString(s) + " (" + bytes + " bytes)");
        }
        return new NdArray(dtype, s, order, segment, null, -1, null);
    }

    /**
     * A new zero-filled array in native byte order: on the heap (backed by a Java array of the dtype's width) when
     * it has fewer than 2^31 elements, else off-heap (64-byte aligned, freed when unreachable).
     */
    public static NdArray zeros(DType dtype, long... shape) {
        long[] s = checkShape(shape);
        long n = count(s);
        MemorySegment seg;
        if (n <= Integer.MAX_VALUE - 16) {
            int k = (int) n;
            seg = switch (dtype.itemSize()) {
                case 1 -> MemorySegment.ofArray(new byte[k]);
                case 2 -> MemorySegment.ofArray(new short[k]);
                case 4 -> MemorySegment.ofArray(new int[k]);
                default -> MemorySegment.ofArray(new long[k]);
            };
        } else {
            seg = Arena.ofAuto().allocate(Math.multiplyExact(n, dtype.itemSize()), 64);
        }
        return new NdArray(dtype, s, ByteOrder.nativeOrder(), seg, null, -1, null);
    }

    /**
     * Maps {@code byteSize(dtype, shape)} bytes of {@code file} starting at {@code offset} as an array. The mapping
     * stays valid until the array (and every view of it) is unreachable; the file can be closed, renamed or even
     * deleted meanwhile on POSIX systems.
     *
     * @param mode READ_ONLY (writes throw), READ_WRITE (writes reach the file and every other mapping of it) or
     *             COPY_ON_WRITE (writes stay private; the operating system requires write permission on the file
     *             for such a mapping all the same)
     * @throws IOException              when the file cannot be opened or is shorter than offset + size
     * @throws IllegalArgumentException for a negative offset or dimension
     */
    public static NdArray map(Path file, long offset, DType dtype, ByteOrder order, MmapMode mode, long... shape)
            throws IOException {
        Objects.requireNonNull(mode, "mode");
        if (offset < 0) {
            throw new IllegalArgumentException("offset " + offset + " is negative");
        }
        long[] s = checkShape(shape);
        long bytes = Math.multiplyExact(count(s), dtype.itemSize());
        FileChannel.MapMode mapMode = switch (mode) {
            case READ_ONLY -> FileChannel.MapMode.READ_ONLY;
            case READ_WRITE -> FileChannel.MapMode.READ_WRITE;
            case COPY_ON_WRITE -> FileChannel.MapMode.PRIVATE;
        };
        StandardOpenOption[] options = mode != MmapMode.READ_ONLY
                ? new StandardOpenOption[] {StandardOpenOption.READ, StandardOpenOption.WRITE}
                : new StandardOpenOption[] {StandardOpenOption.READ};
        try (FileChannel ch = FileChannel.open(file, options)) {
            long size = ch.size();
            if (offset + bytes > size) {
                throw new io.joblib4j.array.PersistException(
                        "array of " + bytes + " bytes at offset " + offset + " runs past the end of the file (" + size
                                + " bytes)",
                        file,
                        offset,
                        null);
            }
            MemorySegment seg =
                    bytes == 0 ? MemorySegment.ofArray(new byte[0]) : ch.map(mapMode, offset, bytes, Arena.ofAuto());
            return new NdArray(dtype, s, order, seg, file.toAbsolutePath(), offset, mode);
        }
    }

    /**
     * A zero-filled array in shared memory ({@code /dev/shm} when there is room, else the system temp folder), mapped
     * read-write: passed to another JVM (a {@code JvmProcess} target, a task of the process backend, a queue item),
     * it arrives as a mapping of the same memory, so writes in any process are seen by all (Python's
     * {@code multiprocessing.Array} without its lock, or a NumPy array over {@code SharedMemory}). Concurrent writers
     * of the same elements need outside synchronization. The file is deleted when this JVM exits (processes that
     * mapped it keep their mapping); a killed JVM's file is collected by the next one.
     *
     * @throws IllegalArgumentException for a negative dimension
     */
    public static NdArray shared(DType dtype, long... shape) {
        Objects.requireNonNull(dtype, "dtype");
        long[] s = checkShape(shape);
        long bytes = Math.multiplyExact(count(s), dtype.itemSize());
        Path file = io.joblib4j.internal.SharedFiles.create("ndarray", Math.max(bytes, 1));
        try {
            NdArray a = map(file, 0, dtype, ByteOrder.nativeOrder(), MmapMode.READ_WRITE, s);
            return new NdArray(a.dtype, a.shape, a.order, a.segment, a.file, 0, MmapMode.READ_WRITE, true);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot map the shared array " + file + ": " + e, e);
        }
    }

    /** True for an array made by {@link #shared}, or received as one: it travels between JVMs as a mapping. */
    public boolean isShared() {
        return shared;
    }

    private static NdArray wrapSegment(DType dtype, MemorySegment seg, long length, long[] shape) {
        long[] s = shape == null || shape.length == 0 ? new long[] {length} : checkShape(shape);
        if (count(s) != length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(s) + " holds " + count(s) + " elements, but the array has " + length);
        }
        return new NdArray(dtype, s, ByteOrder.nativeOrder(), seg, null, -1, null);
    }

    private static long[] checkShape(long[] shape) {
        Objects.requireNonNull(shape, "shape");
        long[] s = shape.clone();
        long n = 1;
        for (long d : s) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(s));
            }
            n = Math.multiplyExact(n, d);
        }
        return s;
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    // ---------------------------------------------------------------- properties

    /** The element type. */
    public DType dtype() {
        return dtype;
    }

    /** The dimensions (a copy); {@code []} for a 0-d scalar array. */
    public long[] shape() {
        return shape.clone();
    }

    /** The number of dimensions. */
    public int ndim() {
        return shape.length;
    }

    /** The number of elements (the product of the shape). */
    public long size() {
        return size;
    }

    /** The number of bytes of element data. */
    public long byteSize() {
        return segment.byteSize();
    }

    /** The byte order of the elements in memory (native unless read from a file of the other order). */
    public ByteOrder order() {
        return order;
    }

    /** The memory holding the elements, in C order, {@link #order()} byte order (a view, not a copy). */
    public MemorySegment segment() {
        return segment;
    }

    /** The file this array is mapped from, when it is a memory mapping. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** The byte offset of the first element in {@link #file()}, or -1 when the array is not file-mapped. */
    public long fileOffset() {
        return fileOffset;
    }

    /** How the file is mapped, when the array is file-mapped. */
    public Optional<MmapMode> mmapMode() {
        return Optional.ofNullable(mode);
    }

    /** True when writes throw (a {@link MmapMode#READ_ONLY} mapping or a read-only segment). */
    public boolean isReadOnly() {
        return segment.isReadOnly();
    }

    /**
     * For a file-mapped array, the reference another JVM on this machine can map the same bytes with.
     */
    public Optional<MappedRef> mappedRef() {
        return file == null || mode == null // a file-backed array always has its mode
                ? Optional.empty()
                : Optional.of(new MappedRef(
                        file.toString(), fileOffset, dtype, order == ByteOrder.BIG_ENDIAN, shape.clone(), mode));
    }

    /**
     * A serializable pointer to a file-mapped array: the file, the byte offset of its first element, its dtype,
     * byte order, shape and mapping mode.
     */
    // equals, hashCode and toString are written below to use the shape's elements, not the array's identity
    @SuppressWarnings("ArrayRecordComponent")
    public record MappedRef(String file, long offset, DType dtype, boolean bigEndian, long[] shape, MmapMode mode)
            implements Serializable {
        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof MappedRef r
                    && file.equals(r.file)
                    && offset == r.offset
                    && dtype == r.dtype
                    && bigEndian == r.bigEndian
                    && Arrays.equals(shape, r.shape)
                    && mode == r.mode;
        }

        @Override
        public int hashCode() {
            return Objects.hash(file, offset, dtype, bigEndian, Arrays.hashCode(shape), mode);
        }

        @Override
        public String toString() {
            return "MappedRef[file=" + file + ", offset=" + offset + ", dtype=" + dtype + ", bigEndian=" + bigEndian
                    + ", shape=" + Arrays.toString(shape) + ", mode=" + mode + "]";
        }

        /** Maps the referenced bytes again, with the original mode. */
        public NdArray map() throws IOException {
            return map(mode);
        }

        /** Maps the referenced bytes again with {@code mode}. */
        public NdArray map(MmapMode mode) throws IOException {
            return NdArray.map(
                    Path.of(file),
                    offset,
                    dtype,
                    bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN,
                    mode,
                    shape);
        }
    }

    // ---------------------------------------------------------------- views

    /**
     * Rows {@code from} (inclusive) to {@code to} (exclusive) of the first axis, sharing this array's memory (and
     * file mapping): NumPy's {@code a[from:to]}.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= from <= to <= shape()[0]}
     * @throws IllegalStateException     for a 0-d array
     */
    public NdArray slice(long from, long to) {
        if (shape.length == 0) {
            throw new IllegalStateException("a 0-d array cannot be sliced");
        }
        if (from < 0 || to < from || to > shape[0]) {
            throw new IndexOutOfBoundsException(
                    "slice [" + from + ":" + to + "] out of range for first dimension " + shape[0]);
        }
        long rowBytes = rowBytes();
        long[] s = shape.clone();
        s[0] = to - from;
        MemorySegment seg = segment.asSlice(from * rowBytes, (to - from) * rowBytes);
        return new NdArray(dtype, s, order, seg, file, file == null ? -1 : fileOffset + from * rowBytes, mode);
    }

    /**
     * The same elements with another shape of the same element count (a view).
     *
     * @throws IllegalArgumentException when the element counts differ
     */
    public NdArray reshape(long... newShape) {
        long[] s = checkShape(newShape);
        if (count(s) != size()) {
            throw new IllegalArgumentException(
                    "cannot reshape " + Arrays.toString(shape) + " (" + size() + " elements) to " + Arrays.toString(s));
        }
        return new NdArray(dtype, s, order, segment, file, fileOffset, mode);
    }

    /** A heap copy in native byte order, not file-mapped and writable. */
    public NdArray copy() {
        NdArray c = zeros(dtype, shape);
        c.copyFrom(this);
        return c;
    }

    /**
     * Copies all elements of {@code source} (same dtype and element count) into this array, converting the byte
     * order if needed.
     */
    public void copyFrom(NdArray source) {
        if (source.dtype != dtype || source.size() != size()) {
            throw new IllegalArgumentException("cannot copy a " + source.dtype.numpyName()
                    + Arrays.toString(source.shape) + " into a " + dtype.numpyName() + Arrays.toString(shape));
        }
        if (source.order == order || dtype.itemSize() == 1) {
            MemorySegment.copy(source.segment, 0, segment, 0, segment.byteSize());
        } else {
            MemorySegment.copy(source.segment, dtype.layout(source.order), 0, segment, dtype.layout(order), 0, size());
        }
    }

    /**
     * For a {@link MmapMode#READ_WRITE} mapping, writes changed pages to the file now (they reach it anyway,
     * eventually); otherwise does nothing.
     */
    public void force() {
        if (mode == MmapMode.READ_WRITE && segment.isMapped()) {
            segment.force();
        }
    }

    private long rowBytes() {
        long n = dtype.itemSize();
        for (int i = 1; i < shape.length; i++) {
            n *= shape[i];
        }
        return n;
    }

    // ---------------------------------------------------------------- element access

    /*
     * Every read and write goes through a constant layout (a static final field, in this machine's byte order, the
     * bytes swapped after the read for an array of the other order): the JIT then compiles segment.get/set to a
     * plain load or store, as fast as segment().getAtIndex with a constant layout.
     */
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private long offsetOf(long[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " has " + index.length
                    + " dimensions, the array has " + shape.length + " " + Arrays.toString(shape));
        }
        long flat = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException(
                        "index " + Arrays.toString(index) + " out of bounds for shape " + Arrays.toString(shape));
            }
            flat = flat * shape[i] + index[i];
        }
        return flat * dtype.itemSize();
    }

    private long offsetOf(long i) {
        if (shape.length != 1 || i < 0 || i >= shape[0]) {
            return offsetOf(new long[] {i}); // throws, naming the index and the shape
        }
        return i * dtype.itemSize();
    }

    private long offsetOf(long i, long j) {
        if (shape.length != 2 || i < 0 || i >= shape[0] || j < 0 || j >= shape[1]) {
            return offsetOf(new long[] {i, j}); // throws, naming the index and the shape
        }
        return (i * shape[1] + j) * dtype.itemSize();
    }

    private long flatOffset(long i) {
        Objects.checkIndex(i, size);
        return i * dtype.itemSize();
    }

    /** The element at {@code index} (one index per dimension) as a double, converting any numeric dtype. */
    public double getDouble(long... index) {
        return readDouble(offsetOf(index));
    }

    /** The element {@code i} of a 1-d array as a double: {@code getDouble(long...)} without the index array. */
    public double getDouble(long i) {
        return readDouble(offsetOf(i));
    }

    /** The element {@code (i, j)} of a 2-d array as a double: {@code getDouble(long...)} without the index array. */
    public double getDouble(long i, long j) {
        return readDouble(offsetOf(i, j));
    }

    /** Sets the element at {@code index} (one per dimension) to {@code value}, converted to the dtype. */
    public void setDouble(double value, long... index) {
        writeDouble(offsetOf(index), value);
    }

    /** Sets the element {@code i} of a 1-d array. */
    public void setDouble(double value, long i) {
        writeDouble(offsetOf(i), value);
    }

    /** Sets the element {@code (i, j)} of a 2-d array. */
    public void setDouble(double value, long i, long j) {
        writeDouble(offsetOf(i, j), value);
    }

    /** The element at {@code index} as a long (unsigned types zero-extended; floats truncated). */
    public long getLong(long... index) {
        return readLong(offsetOf(index));
    }

    /** Sets the element at {@code index} (one per dimension) to {@code value}, converted to the dtype. */
    public void setLong(long value, long... index) {
        writeLong(offsetOf(index), value);
    }

    /** The element at {@code index} as a boolean (non-zero is true). */
    public boolean getBoolean(long... index) {
        return readDouble(offsetOf(index)) != 0;
    }

    /** The {@code i}-th element in C order as a double. */
    public double getFlatDouble(long i) {
        return readDouble(flatOffset(i));
    }

    /** Sets the {@code i}-th element in C order. */
    public void setFlatDouble(long i, double value) {
        writeDouble(flatOffset(i), value);
    }

    /** The {@code i}-th element in C order as a long. */
    public long getFlatLong(long i) {
        return readLong(flatOffset(i));
    }

    /** Sets the {@code i}-th element in C order. */
    public void setFlatLong(long i, long value) {
        writeLong(flatOffset(i), value);
    }

    private short i16(long off) {
        short v = segment.get(I16, off);
        return swapped ? Short.reverseBytes(v) : v;
    }

    private int i32(long off) {
        int v = segment.get(I32, off);
        return swapped ? Integer.reverseBytes(v) : v;
    }

    private long i64(long off) {
        long v = segment.get(I64, off);
        return swapped ? Long.reverseBytes(v) : v;
    }

    private float f32(long off) {
        return swapped ? Float.intBitsToFloat(Integer.reverseBytes(segment.get(I32, off))) : segment.get(F32, off);
    }

    private double f64(long off) {
        return swapped ? Double.longBitsToDouble(Long.reverseBytes(segment.get(I64, off))) : segment.get(F64, off);
    }

    private static double unsignedToDouble(long v) {
        return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
    }

    private double readDouble(long off) {
        if (dtype == DType.FLOAT64 && !swapped) {
            return segment.get(F64, off); // the common case first: one compare the JIT hoists out of loops
        }
        return switch (dtype) {
            case FLOAT64 -> f64(off);
            case FLOAT32 -> f32(off);
            case INT32 -> i32(off);
            case INT64 -> i64(off);
            case UINT64 -> unsignedToDouble(i64(off));
            default -> readLong(off);
        };
    }

    private long readLong(long off) {
        return switch (dtype) {
            case BOOL -> segment.get(ValueLayout.JAVA_BYTE, off) != 0 ? 1 : 0;
            case INT8 -> segment.get(ValueLayout.JAVA_BYTE, off);
            case UINT8 -> segment.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
            case INT16 -> i16(off);
            case UINT16 -> (char) i16(off);
            case INT32 -> i32(off);
            case UINT32 -> i32(off) & 0xFFFF_FFFFL;
            case INT64, UINT64 -> i64(off);
            case FLOAT32 -> (long) f32(off);
            case FLOAT64 -> (long) f64(off);
        };
    }

    private void writeDouble(long off, double v) {
        switch (dtype) {
            case FLOAT64 -> {
                if (swapped) {
                    segment.set(I64, off, Long.reverseBytes(Double.doubleToRawLongBits(v)));
                } else {
                    segment.set(F64, off, v);
                }
            }
            case FLOAT32 -> {
                if (swapped) {
                    segment.set(I32, off, Integer.reverseBytes(Float.floatToRawIntBits((float) v)));
                } else {
                    segment.set(F32, off, (float) v);
                }
            }
            case BOOL -> segment.set(ValueLayout.JAVA_BYTE, off, (byte) (v != 0 ? 1 : 0));
            default -> writeLong(off, (long) v);
        }
    }

    private void writeLong(long off, long v) {
        switch (dtype) {
            case BOOL -> segment.set(ValueLayout.JAVA_BYTE, off, (byte) (v != 0 ? 1 : 0));
            case INT8, UINT8 -> segment.set(ValueLayout.JAVA_BYTE, off, (byte) v);
            case INT16, UINT16 -> segment.set(I16, off, swapped ? Short.reverseBytes((short) v) : (short) v);
            case INT32, UINT32 -> segment.set(I32, off, swapped ? Integer.reverseBytes((int) v) : (int) v);
            case INT64, UINT64 -> segment.set(I64, off, swapped ? Long.reverseBytes(v) : v);
            case FLOAT32, FLOAT64 -> writeDouble(off, (double) v);
        }
    }

    // ---------------------------------------------------------------- reductions

    /** Elements converted per chunk by the reductions: bulk copies into small heap buffers, then plain loops. */
    private static final int CHUNK = 2048;

    /** The buffers of one reduction. */
    private static final class Chunks {
        final double[] values = new double[CHUNK];

        @Nullable
        Object raw;

        float[] floats() {
            if (raw instanceof float[] a) {
                return a;
            }
            float[] a = new float[CHUNK];
            raw = a;
            return a;
        }

        long[] longs() {
            if (raw instanceof long[] a) {
                return a;
            }
            long[] a = new long[CHUNK];
            raw = a;
            return a;
        }

        int[] ints() {
            if (raw instanceof int[] a) {
                return a;
            }
            int[] a = new int[CHUNK];
            raw = a;
            return a;
        }

        short[] shorts() {
            if (raw instanceof short[] a) {
                return a;
            }
            short[] a = new short[CHUNK];
            raw = a;
            return a;
        }

        char[] chars() {
            if (raw instanceof char[] a) {
                return a;
            }
            char[] a = new char[CHUNK];
            raw = a;
            return a;
        }

        byte[] bytes() {
            if (raw instanceof byte[] a) {
                return a;
            }
            byte[] a = new byte[CHUNK];
            raw = a;
            return a;
        }
    }

    /**
     * Converts elements {@code first .. first + count} (flat, C order; {@code count <= CHUNK}) to doubles into
     * {@code c.values} with one bulk copy (swapping bytes when needed) and a conversion loop.
     */
    private void readChunk(long first, int count, Chunks c) {
        double[] out = c.values;
        long off = first * dtype.itemSize();
        ValueLayout layout = dtype.layout(order);
        switch (dtype) {
            case FLOAT64 -> MemorySegment.copy(segment, layout, off, out, 0, count);
            case FLOAT32 -> {
                float[] raw = c.floats();
                MemorySegment.copy(segment, layout, off, raw, 0, count);
                for (int i = 0; i < count; i++) {
                    out[i] = raw[i];
                }
            }
            case INT64, UINT64 -> {
                long[] raw = c.longs();
                MemorySegment.copy(segment, layout, off, raw, 0, count);
                if (dtype == DType.INT64) {
                    for (int i = 0; i < count; i++) {
                        out[i] = raw[i];
                    }
                } else {
                    for (int i = 0; i < count; i++) {
                        out[i] = unsignedToDouble(raw[i]);
                    }
                }
            }
            case INT32, UINT32 -> {
                int[] raw = c.ints();
                MemorySegment.copy(segment, layout, off, raw, 0, count);
                if (dtype == DType.INT32) {
                    for (int i = 0; i < count; i++) {
                        out[i] = raw[i];
                    }
                } else {
                    for (int i = 0; i < count; i++) {
                        out[i] = raw[i] & 0xFFFF_FFFFL;
                    }
                }
            }
            case INT16 -> {
                short[] raw = c.shorts();
                MemorySegment.copy(segment, layout, off, raw, 0, count);
                for (int i = 0; i < count; i++) {
                    out[i] = raw[i];
                }
            }
            case UINT16 -> {
                char[] raw = c.chars();
                MemorySegment.copy(segment, layout, off, raw, 0, count);
                for (int i = 0; i < count; i++) {
                    out[i] = raw[i];
                }
            }
            case INT8, UINT8, BOOL -> {
                byte[] raw = c.bytes();
                MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, off, raw, 0, count);
                if (dtype == DType.INT8) {
                    for (int i = 0; i < count; i++) {
                        out[i] = raw[i];
                    }
                } else if (dtype == DType.UINT8) {
                    for (int i = 0; i < count; i++) {
                        out[i] = raw[i] & 0xFF;
                    }
                } else {
                    for (int i = 0; i < count; i++) {
                        out[i] = raw[i] != 0 ? 1 : 0;
                    }
                }
            }
        }
    }

    /**
     * The sum of all elements, as a double (NumPy's {@code a.sum()}); 0 for an empty array. Floating-point elements
     * are added in double precision with several partial sums (more accurate than a plain loop); integer elements
     * are exact while the total stays below 2^53. For a part of the array, sum a view: {@code a.slice(from, to).sum()}.
     */
    public double sum() {
        Chunks c = new Chunks();
        double total = 0;
        for (long first = 0; first < size; first += CHUNK) {
            int k = (int) Math.min(CHUNK, size - first);
            readChunk(first, k, c);
            total += chunkSum(c.values, k);
        }
        return total;
    }

    private static double chunkSum(double[] v, int k) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = 0;
        for (; i + 8 <= k; i += 8) {
            s0 += v[i];
            s1 += v[i + 1];
            s2 += v[i + 2];
            s3 += v[i + 3];
            s4 += v[i + 4];
            s5 += v[i + 5];
            s6 += v[i + 6];
            s7 += v[i + 7];
        }
        for (; i < k; i++) {
            s0 += v[i];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** The mean of all elements (NumPy's {@code a.mean()}): {@code sum() / size()}; NaN for an empty array. */
    public double mean() {
        return size == 0 ? Double.NaN : sum() / size;
    }

    /**
     * The smallest element, as a double (NumPy's {@code a.min()}): NaN when any element is NaN.
     *
     * @throws IllegalStateException for an empty array, which has no minimum
     */
    public double min() {
        return extreme(true);
    }

    /**
     * The largest element, as a double (NumPy's {@code a.max()}): NaN when any element is NaN.
     *
     * @throws IllegalStateException for an empty array, which has no maximum
     */
    public double max() {
        return extreme(false);
    }

    private double extreme(boolean min) {
        if (size == 0) {
            throw new IllegalStateException(
                    "zero-size array " + Arrays.toString(shape) + " has no " + (min ? "minimum" : "maximum"));
        }
        Chunks c = new Chunks();
        double best = min ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        for (long first = 0; first < size; first += CHUNK) {
            int k = (int) Math.min(CHUNK, size - first);
            readChunk(first, k, c);
            double[] v = c.values;
            if (min) {
                for (int i = 0; i < k; i++) {
                    best = Math.min(best, v[i]);
                }
            } else {
                for (int i = 0; i < k; i++) {
                    best = Math.max(best, v[i]);
                }
            }
        }
        return best;
    }

    /**
     * NumPy's {@code np.allclose(a, other, rtol, atol)}: true when every pair of elements satisfies
     * {@code |a - b| <= atol + rtol * |b|} (b from {@code other}). Infinities are close only to an equal infinity;
     * NaN is close to nothing. Any dtypes may be compared (as doubles).
     *
     * @throws IllegalArgumentException when the shapes differ, or for a negative or NaN tolerance
     */
    public boolean allclose(NdArray other, double rtol, double atol) {
        Objects.requireNonNull(other, "other");
        if (!Arrays.equals(shape, other.shape)) {
            throw new IllegalArgumentException("allclose needs arrays of the same shape, got " + Arrays.toString(shape)
                    + " and " + Arrays.toString(other.shape));
        }
        if (!(rtol >= 0) || !(atol >= 0)) {
            throw new IllegalArgumentException("rtol and atol must be 0 or more, got rtol=" + rtol + ", atol=" + atol);
        }
        Chunks ca = new Chunks();
        Chunks cb = new Chunks();
        for (long first = 0; first < size; first += CHUNK) {
            int k = (int) Math.min(CHUNK, size - first);
            readChunk(first, k, ca);
            other.readChunk(first, k, cb);
            double[] a = ca.values;
            double[] b = cb.values;
            boolean close = true;
            for (int i = 0; i < k; i++) {
                close &= a[i] == b[i]
                        || (Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i]) && Double.isFinite(b[i]));
            }
            if (!close) {
                return false;
            }
        }
        return true;
    }

    /** {@code allclose(other, 1e-05, 1e-08)}: NumPy's default tolerances. */
    public boolean allclose(NdArray other) {
        return allclose(other, 1e-05, 1e-08);
    }

    // ---------------------------------------------------------------- conversions

    private int checkedLength() {
        long n = size();
        if (n > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("array of " + n + " elements does not fit a Java array");
        }
        return (int) n;
    }

    /** A new {@code double[]} with every element converted to double, in C order. */
    public double[] toDoubleArray() {
        int n = checkedLength();
        if (dtype == DType.FLOAT64) {
            return segment.toArray(ValueLayout.JAVA_DOUBLE.withOrder(order));
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = getFlatDouble(i);
        }
        return out;
    }

    /** A new {@code float[]} with every element converted to float, in C order. */
    public float[] toFloatArray() {
        int n = checkedLength();
        if (dtype == DType.FLOAT32) {
            return segment.toArray(ValueLayout.JAVA_FLOAT.withOrder(order));
        }
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) getFlatDouble(i);
        }
        return out;
    }

    /** A new {@code long[]} with every element converted to long, in C order. */
    public long[] toLongArray() {
        int n = checkedLength();
        if (dtype == DType.INT64 || dtype == DType.UINT64) {
            return segment.toArray(ValueLayout.JAVA_LONG.withOrder(order));
        }
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = getFlatLong(i);
        }
        return out;
    }

    /** A new {@code int[]} with every element converted to int (narrowing as Java casts do), in C order. */
    public int[] toIntArray() {
        int n = checkedLength();
        if (dtype == DType.INT32 || dtype == DType.UINT32) {
            return segment.toArray(ValueLayout.JAVA_INT.withOrder(order));
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = (int) getFlatLong(i);
        }
        return out;
    }

    /** A new {@code short[]} with every element converted to short, in C order. */
    public short[] toShortArray() {
        int n = checkedLength();
        short[] out = new short[n];
        for (int i = 0; i < n; i++) {
            out[i] = (short) getFlatLong(i);
        }
        return out;
    }

    /** A new {@code char[]} with every element converted to char (uint16), in C order. */
    public char[] toCharArray() {
        int n = checkedLength();
        char[] out = new char[n];
        for (int i = 0; i < n; i++) {
            out[i] = (char) getFlatLong(i);
        }
        return out;
    }

    /** A new {@code byte[]} with every element converted to byte, in C order. */
    public byte[] toByteArray() {
        int n = checkedLength();
        if (dtype.itemSize() == 1) {
            return segment.toArray(ValueLayout.JAVA_BYTE);
        }
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) getFlatLong(i);
        }
        return out;
    }

    /** A new {@code boolean[]}: each element non-zero, in C order. */
    public boolean[] toBooleanArray() {
        int n = checkedLength();
        boolean[] out = new boolean[n];
        for (int i = 0; i < n; i++) {
            out[i] = getFlatDouble(i) != 0;
        }
        return out;
    }

    /**
     * A new Java array of {@link DType#javaArrayType()} holding the elements ({@code double[]} for FLOAT64, ...).
     *
     * @throws IllegalStateException for UINT8, UINT32 and UINT64, which have no Java array type
     */
    public Object toJavaArray() {
        return switch (dtype) {
            case BOOL -> toBooleanArray();
            case INT8 -> toByteArray();
            case INT16 -> toShortArray();
            case UINT16 -> toCharArray();
            case INT32 -> toIntArray();
            case INT64 -> toLongArray();
            case FLOAT32 -> toFloatArray();
            case FLOAT64 -> toDoubleArray();
            case UINT8, UINT32, UINT64 ->
                throw new IllegalStateException(dtype.numpyName() + " has no Java array type");
        };
    }

    // ---------------------------------------------------------------- object methods

    /**
     * Equal when the dtype, the shape and every element's value are equal (the byte order and where the memory
     * lives do not matter).
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof NdArray other) || other.dtype != dtype || !Arrays.equals(other.shape, shape)) {
            return false;
        }
        if (other.order == order || dtype.itemSize() == 1) {
            return MemorySegment.mismatch(segment, 0, segment.byteSize(), other.segment, 0, segment.byteSize()) < 0;
        }
        long n = size();
        for (long i = 0; i < n; i++) {
            if (getFlatLong(i) != other.getFlatLong(i)
                    || Double.compare(getFlatDouble(i), other.getFlatDouble(i)) != 0) {
                return false;
            }
        }
        return true;
    }

    /** Consistent with {@link #equals}: from the dtype, the shape and the first 64 elements. */
    @Override
    public int hashCode() {
        int h = dtype.hashCode() * 31 + Arrays.hashCode(shape);
        long n = Math.min(size(), 64);
        for (long i = 0; i < n; i++) {
            h = h * 31 + Long.hashCode(getFlatLong(i)) ^ Double.hashCode(getFlatDouble(i));
        }
        return h;
    }

    /**
     * The elements as NumPy's {@code repr} writes them (nested rows, aligned columns, NumPy's float format, the
     * middle elided with {@code ...} above 1000 elements, 3 items at each edge), then the shape and the dtype, and
     * the file for a mapped array:
     * <pre>
     * NdArray([[0., 1., 2.],
     *          [3., 4., 5.]], shape=(2, 3), dtype=float64)
     * </pre>
     */
    @Override
    public String toString() {
        java.util.List<String> extras = new java.util.ArrayList<>(3);
        extras.add("shape=" + ArrayFormat.tuple(shape));
        extras.add("dtype=" + dtype.numpyName());
        if (file != null) {
            extras.add("mapped=" + file + "@" + fileOffset + " " + mode);
        }
        return ArrayFormat.repr(this, "NdArray(", extras);
    }

    // ---------------------------------------------------------------- Java serialization

    @Serial
    private Object writeReplace() {
        Object replaced = io.joblib4j.internal.SerializationHook.replace(this);
        if (replaced != null) {
            return replaced;
        }
        return shared ? new SharedForm(mappedRef().orElseThrow()) : new Serialized(this);
    }

    /** The serialized form of a {@linkplain #shared shared} array: its mapping, mapped again by the receiver. */
    private record SharedForm(MappedRef ref) implements Serializable {
        @Serial
        private Object readResolve() throws java.io.ObjectStreamException {
            try {
                NdArray a = ref.map(MmapMode.READ_WRITE);
                return new NdArray(a.dtype, a.shape, a.order, a.segment, a.file, a.fileOffset, a.mode, true);
            } catch (IOException e) {
                InvalidObjectException ex = new InvalidObjectException(
                        "cannot map the shared array " + ref.file() + " (has the JVM that created it exited?): " + e);
                ex.initCause(e);
                throw ex;
            }
        }
    }

    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("NdArray travels as its serialized form");
    }

    /** The serialized form: dtype code, shape and the element bytes in little-endian order. */
    private static final class Serialized implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        private final int dtype;
        private final long[] shape;
        private final byte[] data;

        Serialized(NdArray a) {
            if (a.byteSize() > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("an NdArray of " + a.byteSize() + " bytes is too large for Java "
                        + "serialization; dump it with Joblib.dump or pass a file mapping with mappedRef()");
            }
            this.dtype = a.dtype.code();
            this.shape = a.shape.clone();
            NdArray le = new NdArray(
                    a.dtype,
                    a.shape,
                    ByteOrder.LITTLE_ENDIAN,
                    MemorySegment.ofArray(new byte[(int) a.byteSize()]),
                    null,
                    -1,
                    null);
            le.copyFrom(a);
            this.data = le.segment.toArray(ValueLayout.JAVA_BYTE);
        }

        @Serial
        private Object readResolve() throws InvalidObjectException {
            try {
                NdArray le = of(DType.ofCode(dtype), ByteOrder.LITTLE_ENDIAN, MemorySegment.ofArray(data), shape);
                return le.order == ByteOrder.nativeOrder() ? le : le.copy();
            } catch (RuntimeException e) {
                InvalidObjectException ex = new InvalidObjectException("corrupt serialized NdArray: " + e.getMessage());
                ex.initCause(e);
                throw ex;
            }
        }
    }
}
