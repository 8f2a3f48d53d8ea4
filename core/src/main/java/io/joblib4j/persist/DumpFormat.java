package io.joblib4j.persist;

import io.joblib4j.array.DType;
import io.joblib4j.array.PersistException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * The joblib4j dump file format, version 2 (version 1 is read too). All integers little-endian.
 *
 * <pre>
 * offset size  field
 *  0      8    magic 89 4A 34 4A 0D 0A 1A 0A ("\x89J4J\r\n\x1a\n")
 *  8      2    format version (2; 1 for files without array checksums)
 * 10      1    codec id the file was written with (0 none; in a compressed file, the outer codec)
 * 11      1    layout: 1 = metadata, then raw arrays each at a multiple of 64 bytes (what uncompressed files use);
 *              2 = the same, with every array of multi-byte elements byte-shuffled in blocks of 65536 elements
 *              (only inside compressed files: see {@link Shuffle})
 * 12      4    number of arrays in the table
 * 16      8    metadata length (array table + type census + root type + object stream)
 * 24      8    object stream length
 * 32      8    data offset: where the first array may start (multiple of 64)
 * 40      8    total length of the (uncompressed) dump
 * 48      4    array alignment (64)
 * 52      4    object stream format (1: Apache Fory 1.6, Java, compatible mode, reference tracking)
 * 56      4    CRC-32 of the metadata
 * 60      4    CRC-32 of bytes 0..59
 * 64      ...  metadata: array table entries, type census, root type, array checksums (version 2), object stream
 *              arrays at their table offsets, zero padding between them
 * array table entry: kind u8 (0 Java array, 1 NdArray), dtype code u8, byte order u8 (0 little, 1 big),
 *                    ndim u8, reserved u32, data offset u64, byte length u64, shape u64 x ndim
 * type census: count u32, then per class: name length u16, UTF-8 name, instance count u32; truncated u8
 * root type: name length u16, UTF-8 name
 * array checksums (version 2 only): kind u8 (0 none; 1 XXH3-128 of each array's elements as little-endian
 *                    bytes; 2 the same, no longer valid: the file was memory-mapped read-write), then for
 *                    kinds 1 and 2, per array of the table: high u64, low u64
 * </pre>
 * The header and the metadata are covered by their CRC-32s; array data by the array checksums, when present.
 */
final class DumpFormat {
    static final byte[] MAGIC = {(byte) 0x89, 'J', '4', 'J', '\r', '\n', 0x1A, '\n'};
    static final int VERSION = 2;
    /** Checksum kinds of format version 2. */
    static final int CHECKSUM_NONE = 0, CHECKSUM_XXH3_128 = 1;
    /** The checksums were valid until the file was memory-mapped read-write: its arrays may have changed since. */
    static final int CHECKSUM_STALE = 2;

    static final int HEADER_SIZE = 64;
    static final int ALIGN = 64;
    static final int LAYOUT = 1;
    static final int LAYOUT_SHUFFLED = 2;
    static final int SERIALIZER = 1;
    static final int MAX_NDIM = 32;

    private DumpFormat() {}

    static long align(long n) {
        return (n + ALIGN - 1) / ALIGN * ALIGN;
    }

    /** One array of the table. */
    @SuppressWarnings("ArrayRecordComponent") // a table row read by position: never compared or hashed
    record Entry(boolean ndarray, DType dtype, ByteOrder order, long[] shape, long offset, long byteLength) {
        long count() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        int encodedSize() {
            return 24 + 8 * shape.length;
        }
    }

    /** A class and how many instances of it the dump's census saw. */
    record TypeCount(String className, long count) {}

    record Header(
            int version,
            int codecId,
            int layout,
            int arrayCount,
            long metaLength,
            long graphLength,
            long dataOffset,
            long totalLength,
            int metaCrc) {}

    /** The parsed metadata. */
    @SuppressWarnings("ArrayRecordComponent") // parsed once per load and read by position: never compared or hashed
    record Meta(
            List<Entry> entries,
            List<TypeCount> census,
            boolean censusTruncated,
            String rootType,
            int graphStart,
            long @Nullable [] checksums) {
        /** Whether the arrays carry checksums: then array i has {@code checksums[2i]} (high), {@code [2i+1]} (low). */
        boolean checksummed() {
            return checksums != null;
        }
    }

    static int crc(byte[] b, int off, int len) {
        CRC32 c = new CRC32();
        c.update(b, off, len);
        return (int) c.getValue();
    }

    static byte[] encodeHeader(Header h) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC);
        b.putShort((short) h.version());
        b.put((byte) h.codecId());
        b.put((byte) h.layout());
        b.putInt(h.arrayCount());
        b.putLong(h.metaLength());
        b.putLong(h.graphLength());
        b.putLong(h.dataOffset());
        b.putLong(h.totalLength());
        b.putInt(ALIGN);
        b.putInt(SERIALIZER);
        b.putInt(h.metaCrc());
        byte[] out = b.array();
        b.putInt(60, crc(out, 0, 60));
        return out;
    }

    static boolean hasMagic(byte[] head) {
        if (head.length < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (head[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses and checks a header.
     *
     * @param fileSize the file size when reading an uncompressed file, or -1 for a stream
     */
    static Header decodeHeader(byte[] head, int length, @Nullable Path file, long fileSize) throws PersistException {
        if (length < HEADER_SIZE) {
            for (int i = 0; i < Math.min(length, MAGIC.length); i++) {
                if (head[i] != MAGIC[i]) {
                    throw new PersistException(
                            "not a joblib4j dump: expected the magic bytes 89 4A 34 4A 0D 0A 1A 0A", file, i, null);
                }
            }
            throw new PersistException(
                    "file is truncated: it ends inside the " + HEADER_SIZE + "-byte header after " + length + " bytes",
                    file,
                    length,
                    null);
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (head[i] != MAGIC[i]) {
                throw new PersistException(
                        "not a joblib4j dump: expected the magic bytes 89 4A 34 4A 0D 0A 1A 0A, " + "found "
                                + hex(head, MAGIC.length),
                        file,
                        i,
                        null);
            }
        }
        ByteBuffer b = ByteBuffer.wrap(head, 0, HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        int version = Short.toUnsignedInt(b.getShort(8));
        if (version == 0 || version > VERSION) {
            throw new PersistException(
                    "format version " + version + " is not supported (this reader reads versions " + "1.." + VERSION
                            + "; a newer joblib4j wrote the file?)",
                    file,
                    8,
                    null);
        }
        int codec = head[10] & 0xFF;
        if (codec >= Compression.Codec.values().length) {
            throw new PersistException(
                    "unknown codec id " + codec + " (expected 0.." + (Compression.Codec.values().length - 1) + ")",
                    file,
                    10,
                    null);
        }
        int layout = head[11] & 0xFF;
        if (layout != LAYOUT && layout != LAYOUT_SHUFFLED) {
            throw new PersistException(
                    "unknown layout " + layout + " (expected " + LAYOUT + " or " + LAYOUT_SHUFFLED + ")",
                    file,
                    11,
                    null);
        }
        int stored = b.getInt(60);
        if (stored != crc(head, 0, 60)) {
            throw new PersistException("header checksum mismatch: the header is corrupt", file, 60, null);
        }
        int arrayCount = b.getInt(12);
        long metaLength = b.getLong(16);
        long graphLength = b.getLong(24);
        long dataOffset = b.getLong(32);
        long totalLength = b.getLong(40);
        if (b.getInt(48) != ALIGN) {
            throw new PersistException("array alignment " + b.getInt(48) + " (expected " + ALIGN + ")", file, 48, null);
        }
        if (b.getInt(52) != SERIALIZER) {
            throw new PersistException(
                    "object stream format " + b.getInt(52) + " (expected " + SERIALIZER + ")", file, 52, null);
        }
        if (arrayCount < 0) {
            throw new PersistException("negative array count " + arrayCount, file, 12, null);
        }
        if (metaLength < 0 || metaLength > Integer.MAX_VALUE - 64) {
            throw new PersistException(
                    "metadata length " + metaLength + " out of range (expected 0.." + (Integer.MAX_VALUE - 64) + ")",
                    file,
                    16,
                    null);
        }
        if (graphLength < 0 || graphLength > metaLength) {
            throw new PersistException(
                    "object stream length " + graphLength + " exceeds the metadata length " + metaLength,
                    file,
                    24,
                    null);
        }
        if (dataOffset != align(HEADER_SIZE + metaLength)) {
            throw new PersistException(
                    "data offset " + dataOffset + " (expected " + align(HEADER_SIZE + metaLength) + ")",
                    file,
                    32,
                    null);
        }
        if (totalLength < HEADER_SIZE + metaLength) {
            throw new PersistException(
                    "total length " + totalLength + " is shorter than header and metadata ("
                            + (HEADER_SIZE + metaLength) + ")",
                    file,
                    40,
                    null);
        }
        if (fileSize >= 0 && fileSize < totalLength) {
            throw new PersistException(
                    "file is truncated: the header says " + totalLength + " bytes, the file has " + fileSize,
                    file,
                    fileSize,
                    null);
        }
        if (fileSize >= 0 && fileSize > totalLength) {
            throw new PersistException(
                    "file has " + (fileSize - totalLength) + " bytes after the end of the dump (" + totalLength
                            + " bytes)",
                    file,
                    totalLength,
                    null);
        }
        return new Header(
                version, codec, layout, arrayCount, metaLength, graphLength, dataOffset, totalLength, b.getInt(56));
    }

    /** @param checksums high and low halves of each array's XXH3-128, or null for none */
    static byte[] encodeMeta(
            List<Entry> entries,
            List<TypeCount> census,
            boolean truncated,
            String rootType,
            long[] checksums,
            byte[] graph) {
        List<byte[]> names = new ArrayList<>();
        int size = 0;
        for (Entry e : entries) {
            size += e.encodedSize();
        }
        size += 4;
        for (TypeCount t : census) {
            byte[] n = utf8(t.className());
            names.add(n);
            size += 2 + n.length + 4;
        }
        size += 1;
        byte[] root = utf8(rootType);
        size += 2 + root.length + 1 + (checksums == null ? 0 : 8 * checksums.length) + graph.length;
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        for (Entry e : entries) {
            b.put((byte) (e.ndarray() ? 1 : 0));
            b.put((byte) e.dtype().code());
            b.put((byte) (e.order() == ByteOrder.BIG_ENDIAN ? 1 : 0));
            b.put((byte) e.shape().length);
            b.putInt(0);
            b.putLong(e.offset());
            b.putLong(e.byteLength());
            for (long d : e.shape()) {
                b.putLong(d);
            }
        }
        b.putInt(census.size());
        for (int i = 0; i < census.size(); i++) {
            b.putShort((short) names.get(i).length);
            b.put(names.get(i));
            b.putInt((int) Math.min(Integer.MAX_VALUE, census.get(i).count()));
        }
        b.put((byte) (truncated ? 1 : 0));
        b.putShort((short) root.length);
        b.put(root);
        b.put((byte) (checksums == null ? CHECKSUM_NONE : CHECKSUM_XXH3_128));
        if (checksums != null) {
            for (long c : checksums) {
                b.putLong(c);
            }
        }
        b.put(graph);
        return b.array();
    }

    private static byte[] utf8(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return b.length > 65535 ? Arrays.copyOf(b, 65535) : b;
    }

    /** Parses and checks the metadata (the CRC first, so a flipped byte is found before anything is trusted). */
    static Meta decodeMeta(Header h, byte[] meta, @Nullable Path file) throws PersistException {
        long base = HEADER_SIZE;
        if (crc(meta, 0, meta.length) != h.metaCrc()) {
            throw new PersistException(
                    "metadata checksum mismatch: the array table or object stream is corrupt", file, base, null);
        }
        ByteBuffer b = ByteBuffer.wrap(meta).order(ByteOrder.LITTLE_ENDIAN);
        List<Entry> entries = new ArrayList<>();
        long nextFree = h.dataOffset();
        try {
            for (int i = 0; i < h.arrayCount(); i++) {
                long at = base + b.position();
                int kind = b.get() & 0xFF;
                int code = b.get() & 0xFF;
                int order = b.get() & 0xFF;
                int ndim = b.get() & 0xFF;
                b.getInt();
                long offset = b.getLong();
                long length = b.getLong();
                if (kind > 1 || order > 1 || ndim > MAX_NDIM) {
                    throw new PersistException(
                            "array table entry " + i + " is invalid (kind " + kind + ", order " + order + ", ndim "
                                    + ndim + ")",
                            file,
                            at,
                            null);
                }
                DType dtype;
                try {
                    dtype = DType.ofCode(code);
                } catch (IllegalArgumentException e) {
                    throw new PersistException("array table entry " + i + ": " + e.getMessage(), file, at + 1, null);
                }
                long[] shape = new long[ndim];
                long bytes = dtype.itemSize();
                for (int d = 0; d < ndim; d++) {
                    shape[d] = b.getLong();
                    if (shape[d] < 0) {
                        throw new PersistException(
                                "array table entry " + i + ": negative dimension " + shape[d],
                                file,
                                at + 24 + 8L * d,
                                null);
                    }
                    try {
                        bytes = Math.multiplyExact(bytes, shape[d]);
                    } catch (ArithmeticException e) {
                        throw new PersistException("array table entry " + i + ": shape overflows", file, at + 24, null);
                    }
                }
                if (bytes != length) {
                    throw new PersistException(
                            "array table entry " + i + ": length " + length + " does not match " + "shape "
                                    + Arrays.toString(shape) + " of " + dtype.numpyName() + " (" + bytes + " bytes)",
                            file,
                            at + 16,
                            null);
                }
                if (offset < nextFree || offset % ALIGN != 0 || length > h.totalLength() - offset) {
                    throw new PersistException(
                            "array table entry " + i + ": data at offset " + offset + " of "
                                    + length + " bytes is outside the data area " + nextFree + ".." + h.totalLength()
                                    + " or not " + ALIGN + "-byte aligned",
                            file,
                            at + 8,
                            null);
                }
                if (kind == 0 && (ndim != 1 || dtype.javaArrayType() == null || shape[0] > Integer.MAX_VALUE - 16)) {
                    throw new PersistException(
                            "array table entry " + i + ": a Java array must be 1-d of a Java " + "element type",
                            file,
                            at,
                            null);
                }
                nextFree = offset + length;
                entries.add(new Entry(
                        kind == 1,
                        dtype,
                        order == 1 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN,
                        shape,
                        offset,
                        length));
            }
            long censusAt = base + b.position();
            int n = b.getInt();
            if (n < 0 || n > meta.length) {
                throw new PersistException("type census count " + n + " is invalid", file, censusAt, null);
            }
            List<TypeCount> census = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String name = readName(b);
                census.add(new TypeCount(name, Integer.toUnsignedLong(b.getInt())));
            }
            boolean truncated = b.get() != 0;
            String root = readName(b);
            long[] checksums = null;
            if (h.version() >= 2) {
                long kindAt = base + b.position();
                int kind = b.get() & 0xFF;
                if (kind == CHECKSUM_XXH3_128 || kind == CHECKSUM_STALE) {
                    long[] stored = new long[2 * entries.size()];
                    for (int i = 0; i < stored.length; i++) {
                        stored[i] = b.getLong();
                    }
                    checksums = kind == CHECKSUM_XXH3_128 ? stored : null;
                } else if (kind != CHECKSUM_NONE) {
                    throw new PersistException(
                            "unknown array checksum kind " + kind + " (expected 0, 1 or 2)", file, kindAt, null);
                }
            }
            int graphStart = b.position();
            if (meta.length - graphStart != h.graphLength()) {
                throw new PersistException(
                        "object stream length " + h.graphLength() + " does not match the " + (meta.length - graphStart)
                                + " bytes left in the metadata",
                        file,
                        base + graphStart,
                        null);
            }
            return new Meta(entries, census, truncated, root, graphStart, checksums);
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
            throw new PersistException(
                    "metadata ends early: the array table or census is corrupt", file, base + b.position(), null);
        }
    }

    /**
     * Marks the array checksums of an uncompressed dump as no longer valid, in place (kind byte and both CRCs):
     * done before its arrays are mapped read-write, since writes through the mapping change the data.
     */
    static void markChecksumsStale(java.nio.channels.FileChannel ch, byte[] head, byte[] meta, Meta m)
            throws java.io.IOException {
        int kindAt = m.graphStart() - 1 - 8 * Objects.requireNonNull(m.checksums(), "checksums").length;
        meta[kindAt] = CHECKSUM_STALE;
        ByteBuffer h = ByteBuffer.wrap(head.clone()).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(56, crc(meta, 0, meta.length));
        h.putInt(60, crc(h.array(), 0, 60));
        ch.write(ByteBuffer.wrap(new byte[] {CHECKSUM_STALE}), HEADER_SIZE + kindAt);
        ch.write(ByteBuffer.wrap(h.array(), 56, 8), 56);
    }

    private static String readName(ByteBuffer b) {
        int len = Short.toUnsignedInt(b.getShort());
        byte[] n = new byte[len];
        b.get(n);
        return new String(n, StandardCharsets.UTF_8);
    }

    static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(n, b.length); i++) {
            sb.append(i > 0 ? " " : "").append(String.format("%02X", b[i] & 0xFF));
        }
        return sb.toString();
    }
}
