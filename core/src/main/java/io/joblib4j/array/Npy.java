package io.joblib4j.array;

import io.joblib4j.internal.CountingInputStream;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * NumPy's {@code .npy} and {@code .npz} formats: read (versions 1.0, 2.0 and 3.0, either byte order), write
 * (version 1.0, or 2.0 when the header needs it) and memory-map, so arrays move between Python and Java without
 * conversion. Arrays are C order: a Fortran-order file ({@code fortran_order: True}) is reordered into C order by
 * {@link #load}, and refused by {@link #map} with a {@link PersistException} that says so (a mapping cannot reorder).
 *
 * <p>Every malformed file (wrong magic, bad header, unsupported dtype, data shorter than the shape needs) gives a
 * {@link PersistException} naming the file and the byte offset.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int MAX_HEADER = 1 << 20;
    private static final int CHUNK = 1 << 20;
    /** Arrays up to this many bytes are allocated before their data is read; larger ones as it arrives. */
    private static final long DIRECT_ALLOCATION = 16L << 20;

    private Npy() {}

    /**
     * What a {@code .npy} header says.
     *
     * @param major       format major version (1, 2 or 3)
     * @param minor       format minor version
     * @param dtype       element type
     * @param order       byte order of the elements
     * @param fortranOrder whether the data is in Fortran (column-major) order
     * @param shape       dimensions
     * @param dataOffset  byte offset of the first element in the file
     */
    // equals, hashCode and toString are written below to use the shape's elements, not the array's identity
    @SuppressWarnings("ArrayRecordComponent")
    public record Header(
            int major, int minor, DType dtype, ByteOrder order, boolean fortranOrder, long[] shape, long dataOffset) {
        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof Header h
                    && major == h.major
                    && minor == h.minor
                    && dtype == h.dtype
                    && order.equals(h.order)
                    && fortranOrder == h.fortranOrder
                    && Arrays.equals(shape, h.shape)
                    && dataOffset == h.dataOffset;
        }

        @Override
        public int hashCode() {
            return Objects.hash(major, minor, dtype, order, fortranOrder, Arrays.hashCode(shape), dataOffset);
        }

        @Override
        public String toString() {
            return "Header[major=" + major + ", minor=" + minor + ", dtype=" + dtype + ", order=" + order
                    + ", fortranOrder=" + fortranOrder + ", shape=" + Arrays.toString(shape) + ", dataOffset="
                    + dataOffset + "]";
        }

        /** The number of data bytes the shape needs. */
        public long dataBytes() {
            long n = dtype.itemSize();
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }

        /** The NumPy dtype string, e.g. {@code <f8}. */
        public String descr() {
            return dtype.numpyDescr(order);
        }
    }

    // ------------------------------------------------------------------ write

    /** Writes {@code array} to {@code file} as {@code .npy} atomically (temp file + rename). */
    public static void save(Path file, NdArray array) throws IOException {
        Path tmp = tempSibling(file);
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                save(out, array);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes {@code array} as {@code .npy} to {@code out} (which stays open). */
    public static void save(OutputStream out, NdArray array) throws IOException {
        out.write(header(array));
        writeData(out, array);
    }

    /** The {@code .npy} header for {@code array}, padded so the data starts at a multiple of 64 bytes. */
    static byte[] header(NdArray array) {
        return header(array.dtype(), array.order(), array.shape());
    }

    static byte[] header(DType dtype, ByteOrder order, long[] shape) {
        StringBuilder dict = new StringBuilder("{'descr': '")
                .append(dtype.numpyDescr(order))
                .append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            dict.append(i > 0 ? ", " : "").append(shape[i]);
        }
        if (shape.length == 1) {
            dict.append(',');
        }
        dict.append("), }");
        byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
        int prefix = 10;
        int major = 1;
        if (text.length + 1 + prefix > 65535) {
            major = 2;
            prefix = 12;
        }
        int total = (prefix + text.length + 1 + 63) / 64 * 64;
        int headerLen = total - prefix;
        byte[] out = new byte[total];
        System.arraycopy(MAGIC, 0, out, 0, 6);
        out[6] = (byte) major;
        out[7] = 0;
        if (major == 1) {
            out[8] = (byte) headerLen;
            out[9] = (byte) (headerLen >>> 8);
        } else {
            for (int i = 0; i < 4; i++) {
                out[8 + i] = (byte) (headerLen >>> (8 * i));
            }
        }
        System.arraycopy(text, 0, out, prefix, text.length);
        for (int i = prefix + text.length; i < total - 1; i++) {
            out[i] = ' ';
        }
        out[total - 1] = '\n';
        return out;
    }

    static void writeData(OutputStream out, NdArray array) throws IOException {
        MemorySegment seg = array.segment();
        long size = seg.byteSize();
        byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(size, 1))];
        MemorySegment bufSeg = MemorySegment.ofArray(buf);
        for (long pos = 0; pos < size; pos += buf.length) {
            int n = (int) Math.min(buf.length, size - pos);
            MemorySegment.copy(seg, pos, bufSeg, 0, n);
            out.write(buf, 0, n);
        }
    }

    // ------------------------------------------------------------------ read

    /** Reads the header of a {@code .npy} file without reading its data. */
    public static Header readHeader(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 4096)) {
            Header h = readHeader(in, file);
            long size = Files.size(file);
            if (h.dataBytes() > size - h.dataOffset()) {
                throw new PersistException(
                        "the shape " + java.util.Arrays.toString(h.shape()) + " of "
                                + h.descr() + " needs " + h.dataBytes() + " data bytes, the file has "
                                + (size - h.dataOffset()),
                        file,
                        h.dataOffset(),
                        null);
            }
            return h;
        }
    }

    /**
     * Reads a {@code .npy} header from {@code in}, leaving it positioned at the first data byte (the data is not
     * checked against the shape).
     */
    public static Header readHeader(InputStream in) throws IOException {
        return readHeader(in, null);
    }

    /**
     * Reads a whole {@code .npy} file onto the heap, in native byte order. The shape is checked against the file's
     * size before anything is allocated, so a small file claiming a huge array fails at once.
     */
    public static NdArray load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            Header h = readHeader(in, file);
            long size = Files.size(file);
            long available = Math.max(0, size - h.dataOffset());
            if (h.dataBytes() > available) {
                throw new PersistException(
                        "file ends after " + available + " of " + h.dataBytes() + " data bytes "
                                + "(the shape " + java.util.Arrays.toString(h.shape()) + " of " + h.descr() + " needs "
                                + h.dataBytes() + ")",
                        file,
                        h.dataOffset() + available,
                        null);
            }
            return loadData(in, h, file, true);
        }
    }

    /**
     * Reads one {@code .npy} array from {@code in} (which stays open, positioned after the array's data). Memory
     * for a large array is taken as its bytes arrive, so a header claiming more data than the stream holds fails
     * after allocating about what the stream really held.
     */
    public static NdArray load(InputStream in) throws IOException {
        return load(in, null);
    }

    private static NdArray load(InputStream in, @Nullable Path file) throws IOException {
        return loadData(in, readHeader(in, file), file, false);
    }

    /** @param fits whether the data is known to be there (checked against the file size): allocate it at once */
    private static NdArray loadData(InputStream in, Header h, @Nullable Path file, boolean fits) throws IOException {
        long bytes = h.dataBytes();
        long count = bytes / h.dtype().itemSize();
        if (count > Integer.MAX_VALUE - 16) {
            throw new PersistException(
                    "array of " + count + " elements is too large to load on the heap; use " + "Npy.map",
                    file,
                    h.dataOffset(),
                    null);
        }
        boolean fortran = h.fortranOrder() && h.shape().length > 1;
        long[] stored = fortran ? reversed(h.shape()) : h.shape();
        NdArray raw = readData(in, h.dtype(), stored, bytes, file, h.dataOffset(), fits);
        if (h.order() != ByteOrder.nativeOrder() && h.dtype().itemSize() > 1) {
            NdArray swapped = NdArray.zeros(h.dtype(), stored);
            MemorySegment.copy(
                    raw.segment(),
                    h.dtype().layout(h.order()),
                    0,
                    swapped.segment(),
                    h.dtype().layout(ByteOrder.nativeOrder()),
                    0,
                    count);
            raw = swapped;
        }
        return fortran ? toCOrder(raw, h.shape()) : raw;
    }

    /**
     * Reads {@code bytes} bytes of data into a new array. When the data is known to fit, or up to
     * {@link #DIRECT_ALLOCATION} bytes, the array is allocated at once; a larger one only when half of its bytes
     * have arrived (they wait in chunks until then), so
     * that memory grows with the data really read, never with what a header claims.
     */
    private static NdArray readData(
            InputStream in, DType dtype, long[] shape, long bytes, @Nullable Path file, long base, boolean fits)
            throws IOException {
        if (fits || bytes <= DIRECT_ALLOCATION) {
            NdArray raw = NdArray.zeros(dtype, shape);
            readFully(in, raw.segment(), file, base);
            return raw;
        }
        List<byte[]> chunks = new ArrayList<>();
        long pos = 0;
        while (pos < bytes / 2) {
            int want = (int) Math.min(CHUNK, bytes - pos);
            byte[] c = in.readNBytes(want);
            if (c.length < want) {
                throw new PersistException(
                        "file ends after " + (pos + c.length) + " of " + bytes + " data bytes",
                        file,
                        base + pos + c.length,
                        null);
            }
            chunks.add(c);
            pos += want;
        }
        NdArray raw = NdArray.zeros(dtype, shape);
        long at = 0;
        for (byte[] c : chunks) {
            MemorySegment.copy(MemorySegment.ofArray(c), 0, raw.segment(), at, c.length);
            at += c.length;
        }
        chunks.clear();
        readFully(in, raw.segment().asSlice(pos), file, base + pos);
        return raw;
    }

    private static long[] reversed(long[] shape) {
        long[] r = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            r[i] = shape[shape.length - 1 - i];
        }
        return r;
    }

    /** Fortran-order data of {@code shape}, seen as C-order data of the reversed shape, copied into C order. */
    private static NdArray toCOrder(NdArray fortran, long[] shape) {
        NdArray out = NdArray.zeros(fortran.dtype(), shape);
        int item = fortran.dtype().itemSize();
        int nd = shape.length;
        long[] fStride = new long[nd]; // element stride of each C-order axis inside the Fortran data
        long s = 1;
        for (int i = 0; i < nd; i++) {
            fStride[i] = s;
            s *= shape[i];
        }
        long[] index = new long[nd];
        long n = out.size();
        long src = 0;
        MemorySegment from = fortran.segment();
        MemorySegment to = out.segment();
        for (long flat = 0; flat < n; flat++) {
            MemorySegment.copy(from, src * item, to, flat * item, item);
            for (int axis = nd - 1; axis >= 0; axis--) {
                if (++index[axis] < shape[axis]) {
                    src += fStride[axis];
                    break;
                }
                src -= fStride[axis] * (shape[axis] - 1);
                index[axis] = 0;
            }
        }
        return out;
    }

    private static void readFully(InputStream in, MemorySegment dst, @Nullable Path file, long baseOffset)
            throws IOException {
        long size = dst.byteSize();
        byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(1, size))];
        MemorySegment bufSeg = MemorySegment.ofArray(buf);
        long pos = 0;
        while (pos < size) {
            int want = (int) Math.min(buf.length, size - pos);
            int n = in.readNBytes(buf, 0, want);
            if (n < want) {
                throw new PersistException(
                        "file ends after " + (pos + n) + " of " + size + " data bytes",
                        file,
                        baseOffset + pos + n,
                        null);
            }
            MemorySegment.copy(bufSeg, 0, dst, pos, n);
            pos += n;
        }
    }

    /**
     * Memory-maps the data of a {@code .npy} file (no copy; the header is read once). Fortran-order files with more
     * than one dimension are refused.
     *
     * @param mode READ_ONLY, READ_WRITE (writes reach the file) or COPY_ON_WRITE
     */
    public static NdArray map(Path file, MmapMode mode) throws IOException {
        Header h = readHeader(file);
        if (h.fortranOrder() && h.shape().length > 1) {
            throw new PersistException(
                    "a Fortran-order array (shape " + java.util.Arrays.toString(h.shape())
                            + ") cannot be mapped as C order: load it with Npy.load, or save a C-order copy with "
                            + "numpy.ascontiguousarray",
                    file,
                    8,
                    null);
        }
        return NdArray.map(file, h.dataOffset(), h.dtype(), h.order(), mode, h.shape());
    }

    /**
     * Creates (or replaces) {@code file} as a {@code .npy} of the given dtype and shape filled with zeros, and
     * maps it read-write: NumPy's {@code open_memmap(mode='w+')}.
     */
    public static NdArray create(Path file, DType dtype, long... shape) throws IOException {
        byte[] head = header(dtype, ByteOrder.nativeOrder(), shape);
        long bytes = dtype.itemSize();
        for (long d : shape) {
            bytes = Math.multiplyExact(bytes, d);
        }
        try (var raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(0);
            raf.write(head);
            raf.setLength(head.length + bytes);
        }
        return NdArray.map(file, head.length, dtype, ByteOrder.nativeOrder(), MmapMode.READ_WRITE, shape);
    }

    static Header readHeader(InputStream in, @Nullable Path file) throws IOException {
        byte[] pre = in.readNBytes(8);
        if (pre.length < 8) {
            throw new PersistException(
                    "not a .npy file: only " + pre.length + " bytes, a header needs at least 10",
                    file,
                    pre.length,
                    null);
        }
        for (int i = 0; i < 6; i++) {
            if (pre[i] != MAGIC[i]) {
                throw new PersistException(
                        "not a .npy file: expected the magic \\x93NUMPY, found " + printable(pre, 6), file, i, null);
            }
        }
        int major = pre[6] & 0xFF;
        int minor = pre[7] & 0xFF;
        if (major < 1 || major > 3) {
            throw new PersistException(
                    "unsupported .npy format version " + major + "." + minor + " (expected 1.0, 2.0 or 3.0)",
                    file,
                    6,
                    null);
        }
        int lenBytes = major == 1 ? 2 : 4;
        byte[] lenField = in.readNBytes(lenBytes);
        if (lenField.length < lenBytes) {
            throw new PersistException("file ends inside the header length field", file, 8 + lenField.length, null);
        }
        long headerLen = 0;
        for (int i = lenBytes - 1; i >= 0; i--) {
            headerLen = (headerLen << 8) | (lenField[i] & 0xFF);
        }
        if (headerLen > MAX_HEADER) {
            throw new PersistException(
                    "header length " + headerLen + " is larger than " + MAX_HEADER + " bytes: corrupt file",
                    file,
                    8,
                    null);
        }
        int start = 8 + lenBytes;
        byte[] text = in.readNBytes((int) headerLen);
        if (text.length < headerLen) {
            throw new PersistException(
                    "file ends inside the header: expected " + headerLen + " header bytes, found " + text.length,
                    file,
                    start + text.length,
                    null);
        }
        String dict = new String(text, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1).strip();
        return parseHeader(dict, major, minor, file, start, start + headerLen);
    }

    private static Header parseHeader(String dict, int major, int minor, @Nullable Path file, int at, long dataOffset)
            throws PersistException {
        String descr = stringValue(dict, "descr", file, at);
        String fortran = rawValue(dict, "fortran_order", file, at);
        String shapeText = rawValue(dict, "shape", file, at);
        DType.Parsed parsed;
        try {
            parsed = DType.parseNumpyDescr(descr);
        } catch (IllegalArgumentException e) {
            throw new PersistException(String.valueOf(e.getMessage()), file, at, null);
        }
        boolean isFortran;
        if (fortran.startsWith("True")) {
            isFortran = true;
        } else if (fortran.startsWith("False")) {
            isFortran = false;
        } else {
            throw new PersistException("fortran_order must be True or False, found '" + fortran + "'", file, at, null);
        }
        if (!shapeText.startsWith("(") || shapeText.indexOf(')') < 0) {
            throw new PersistException("shape must be a tuple, found '" + shapeText + "'", file, at, null);
        }
        String inner = shapeText.substring(1, shapeText.indexOf(')')).strip();
        List<Long> dims = new ArrayList<>();
        if (!inner.isEmpty()) {
            for (String part : inner.split(",", -1)) {
                String p = part.strip();
                if (p.isEmpty()) {
                    continue;
                }
                if (p.endsWith("L")) {
                    p = p.substring(0, p.length() - 1);
                }
                try {
                    long d = Long.parseLong(p);
                    if (d < 0) {
                        throw new NumberFormatException();
                    }
                    dims.add(d);
                } catch (NumberFormatException e) {
                    throw new PersistException(
                            "shape dimension '" + part.strip() + "' is not a non-negative integer", file, at, null);
                }
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        try {
            // zeros skipped: strides and reordered (Fortran) shapes multiply the other dimensions too
            long n = parsed.dtype().itemSize();
            for (long d : shape) {
                n = Math.multiplyExact(n, Math.max(1, d));
            }
        } catch (ArithmeticException e) {
            throw new PersistException("shape " + shapeText + " overflows 64-bit byte counts", file, at, null);
        }
        return new Header(major, minor, parsed.dtype(), parsed.order(), isFortran, shape, dataOffset);
    }

    private static String rawValue(String dict, String key, @Nullable Path file, int at) throws PersistException {
        int k = dict.indexOf("'" + key + "'");
        if (k < 0) {
            k = dict.indexOf("\"" + key + "\"");
        }
        if (k < 0) {
            throw new PersistException("header has no '" + key + "' entry: " + abbreviate(dict), file, at, null);
        }
        int colon = dict.indexOf(':', k);
        if (colon < 0) {
            throw new PersistException("header entry '" + key + "' has no value", file, at, null);
        }
        return dict.substring(colon + 1).strip();
    }

    private static String stringValue(String dict, String key, @Nullable Path file, int at) throws PersistException {
        String v = rawValue(dict, key, file, at);
        if (v.isEmpty() || (v.charAt(0) != '\'' && v.charAt(0) != '"')) {
            throw new PersistException(
                    "dtype '" + abbreviate(v) + "' is not supported (only simple types such as "
                            + "'<f8', no structured dtypes)",
                    file,
                    at,
                    null);
        }
        int end = v.indexOf(v.charAt(0), 1);
        if (end < 0) {
            throw new PersistException("unterminated string for '" + key + "'", file, at, null);
        }
        return v.substring(1, end);
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    private static String printable(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(n, b.length); i++) {
            int c = b[i] & 0xFF;
            sb.append(c >= 32 && c < 127 ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ npz

    /** Writes the arrays as an uncompressed {@code .npz} (NumPy's {@code savez}); entry names get ".npy". */
    public static void saveNpz(Path file, Map<String, NdArray> arrays) throws IOException {
        saveNpz(file, arrays, false);
    }

    /**
     * Writes the arrays as a {@code .npz} zip archive, deflated when {@code compressed}
     * ({@code savez_compressed}), atomically.
     */
    public static void saveNpz(Path file, Map<String, NdArray> arrays, boolean compressed) throws IOException {
        Path tmp = tempSibling(file);
        try {
            try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(tmp))) {
                for (Map.Entry<String, NdArray> e : arrays.entrySet()) {
                    ByteArrayOutputStream buf = new ByteArrayOutputStream();
                    save(buf, e.getValue());
                    byte[] bytes = buf.toByteArray();
                    ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
                    if (compressed) {
                        entry.setMethod(ZipEntry.DEFLATED);
                    } else {
                        CRC32 crc = new CRC32();
                        crc.update(bytes);
                        entry.setMethod(ZipEntry.STORED);
                        entry.setSize(bytes.length);
                        entry.setCompressedSize(bytes.length);
                        entry.setCrc(crc.getValue());
                    }
                    zip.putNextEntry(entry);
                    zip.write(bytes);
                    zip.closeEntry();
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * The share of an input that may always expand, whatever its compressed size: 64 MiB. Above it, compressed input
     * may expand at most {@link #DEFAULT_MAX_EXPANSION_RATIO} times (the defaults of {@code .npz} loading and of
     * {@code io.joblib4j.persist.LoadOptions}).
     */
    public static final long EXPANSION_GRACE_BYTES = 64L << 20;

    /** The default most times compressed input may expand beyond {@link #EXPANSION_GRACE_BYTES}: 100. */
    public static final double DEFAULT_MAX_EXPANSION_RATIO = 100;

    /**
     * The most bytes that {@code compressedBytes} of compressed input may expand to:
     * {@code min(maxExpandedBytes, max(EXPANSION_GRACE_BYTES, maxExpansionRatio * compressedBytes))}.
     */
    public static long expansionLimit(long compressedBytes, double maxExpansionRatio, long maxExpandedBytes) {
        double byRatio = maxExpansionRatio * Math.max(0, compressedBytes);
        long limit = byRatio >= Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(EXPANSION_GRACE_BYTES, (long) byRatio);
        return Math.min(maxExpandedBytes, limit);
    }

    /**
     * Reads every array of a {@code .npz} file, keyed by entry name without ".npy", in archive order, with the
     * default expansion limit ({@link #DEFAULT_MAX_EXPANSION_RATIO} times the file's size beyond the first
     * {@link #EXPANSION_GRACE_BYTES}).
     */
    public static Map<String, NdArray> loadNpz(Path file) throws IOException {
        return loadNpz(file, DEFAULT_MAX_EXPANSION_RATIO, Long.MAX_VALUE);
    }

    /**
     * Reads every array of a {@code .npz} file, keyed by entry name without ".npy", in archive order.
     *
     * <p>The file is untrusted input: every entry name is checked (no NUL or control characters, no absolute path,
     * no {@code ..} segment, no duplicate; entry names are never used as paths), every shape is checked against the
     * size the archive states for its entry, and all entries together may expand to at most
     * {@link #expansionLimit expansionLimit(size of the file, maxExpansionRatio, maxExpandedBytes)} bytes, so a zip
     * bomb fails early with a {@link PersistException}. {@code io.joblib4j.persist.LoadOptions} holds the same two
     * limits for {@code load}.
     *
     * @param maxExpansionRatio the most times the file may expand beyond the grace bytes (raise it for trusted files)
     * @param maxExpandedBytes  the most bytes all entries may expand to, whatever the ratio ({@code Long.MAX_VALUE}
     *                          for no fixed cap)
     * @throws IllegalArgumentException if {@code maxExpansionRatio} is not positive or {@code maxExpandedBytes} is
     *                                  negative
     * @throws PersistException naming the file and the entry, for any malformed archive or entry
     */
    public static Map<String, NdArray> loadNpz(Path file, double maxExpansionRatio, long maxExpandedBytes)
            throws IOException {
        java.util.Objects.requireNonNull(file, "file");
        if (!(maxExpansionRatio > 0)) {
            throw new IllegalArgumentException("maxExpansionRatio must be positive, got " + maxExpansionRatio);
        }
        if (maxExpandedBytes < 0) {
            throw new IllegalArgumentException("maxExpandedBytes must be at least 0, got " + maxExpandedBytes);
        }
        long limit = expansionLimit(Files.size(file), maxExpansionRatio, maxExpandedBytes);
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException | EOFException | RuntimeException e) {
            throw new PersistException("not a readable .npz (zip) archive: " + e.getMessage(), file, -1, e);
        }
        Map<String, NdArray> out = new LinkedHashMap<>();
        long[] expanded = {0};
        try (zip) {
            List<? extends ZipEntry> entries;
            try {
                entries = Collections.list(zip.entries());
            } catch (RuntimeException e) {
                throw new PersistException("cannot list the entries of the .npz archive: " + e, file, -1, e);
            }
            for (ZipEntry e : entries) {
                String name = e.getName();
                String shown = abbreviate(printable(name));
                checkEntryName(name, shown, file);
                String key = name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
                if (out.containsKey(key)) {
                    throw new PersistException("entry '" + shown + "' appears twice in the archive", file, -1, null);
                }
                try (InputStream in = new Budget(zip.getInputStream(e), expanded, limit, file, shown)) {
                    Header h = readHeader(in, null);
                    long dataBytes = h.dataBytes();
                    if (e.getSize() >= 0 && dataBytes > e.getSize() - h.dataOffset()) {
                        throw new PersistException(
                                "the shape " + java.util.Arrays.toString(h.shape()) + " of "
                                        + h.descr() + " needs " + dataBytes + " data bytes, the archive says the entry "
                                        + "holds " + Math.max(0, e.getSize() - h.dataOffset()),
                                null,
                                h.dataOffset(),
                                null);
                    }
                    if (dataBytes > limit - expanded[0]) {
                        throw new PersistException(
                                "the shape " + java.util.Arrays.toString(h.shape()) + " of "
                                        + h.descr() + " needs " + dataBytes
                                        + " data bytes, more than the expansion limit "
                                        + "of this " + Files.size(file) + "-byte file leaves (" + limit
                                        + " bytes in all; "
                                        + "raise maxExpansionRatio for trusted files)",
                                null,
                                h.dataOffset(),
                                null);
                    }
                    out.put(key, loadData(in, h, null, false));
                } catch (PersistException ex) {
                    throw entryError(file, shown, ex);
                } catch (IOException | RuntimeException ex) {
                    throw new PersistException("entry '" + shown + "' cannot be read: " + ex, file, -1, ex);
                }
            }
        }
        return out;
    }

    private static void checkEntryName(String name, String shown, @Nullable Path file) throws PersistException {
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < 0x20 || name.charAt(i) == 0x7F) {
                throw new PersistException("entry '" + shown + "' has a control character in its name", file, -1, null);
            }
        }
        boolean absolute =
                name.startsWith("/") || name.startsWith("\\") || (name.length() > 1 && name.charAt(1) == ':');
        boolean parent = java.util.Arrays.asList(name.split("[/\\\\]")).contains("..");
        if (absolute || parent || name.isEmpty()) {
            throw new PersistException(
                    "entry '" + shown + "' has a name that is not a plain relative name (empty, "
                            + "absolute or with a '..' segment)",
                    file,
                    -1,
                    null);
        }
    }

    /** The error of one entry, read without a file name, restated with the archive's file and the entry's name. */
    private static PersistException entryError(@Nullable Path file, String shown, PersistException inner) {
        String message = String.valueOf(inner.getMessage()); // never null: PersistException always has a message
        String prefix = "at offset " + inner.offset() + ": ";
        if (inner.offset() >= 0 && message.startsWith(prefix)) {
            message = message.substring(prefix.length());
        }
        String where = inner.offset() >= 0 ? ", at offset " + inner.offset() + " of the entry" : "";
        return new PersistException("entry '" + shown + "'" + where + ": " + message, file, -1, inner);
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c != 0x7F ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return sb.toString();
    }

    /** Counts the bytes all entries of one archive expand to and refuses them past the limit. */
    private static final class Budget extends CountingInputStream {
        private final long[] expanded;
        private final long limit;
        private final @Nullable Path file;
        private final String entry;

        Budget(InputStream in, long[] expanded, long limit, @Nullable Path file, String entry) {
            super(in);
            this.expanded = expanded;
            this.limit = limit;
            this.file = file;
            this.entry = entry;
        }

        @Override
        protected void counted(long n) throws PersistException {
            expanded[0] += n;
            if (expanded[0] > limit) {
                throw new PersistException(
                        "the archive expands to more than " + limit + " bytes (at entry '" + entry
                                + "'), the expansion limit for a file of its size (maxExpansionRatio; raise it for"
                                + " trusted files)",
                        file,
                        count(),
                        null);
            }
        }
    }

    static Path tempSibling(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null) {
            throw new IllegalArgumentException(file + " is a root directory, not a file to write");
        }
        return dir.resolve("." + file.getFileName() + "." + Long.toHexString(System.nanoTime())
                + Long.toHexString(Thread.currentThread().threadId()) + ".tmp");
    }
}
