package io.joblib4j.persist;

import io.joblib4j.array.DType;
import io.joblib4j.array.PersistException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a dump file holds, read from its header and metadata only: no object is instantiated and no array data
 * is read (for a compressed file, the stream is decompressed up to the end of the metadata). Used by
 * {@code ./joblib4j inspect}.
 *
 * @param file             the file
 * @param fileSize         its size on disk
 * @param codec            the compression of the file
 * @param formatVersion    the dump format version
 * @param rootType         the class of the dumped object ({@code null} for a dumped null)
 * @param types            instances per class found by the census taken when the file was written
 * @param typesTruncated   whether the census stopped before visiting the whole graph (very large graphs)
 * @param arrays           the raw arrays, in file order
 * @param objectStreamBytes the size of the serialized object graph without the arrays
 * @param dumpBytes        the uncompressed size of the dump
 * @param byteShuffled     whether arrays are stored byte-shuffled (compressed files)
 */
public record DumpInfo(
        Path file,
        long fileSize,
        Compression.Codec codec,
        int formatVersion,
        @Nullable String rootType,
        List<TypeCount> types,
        boolean typesTruncated,
        List<ArrayInfo> arrays,
        long objectStreamBytes,
        long dumpBytes,
        boolean byteShuffled) {

    /** A class in the dump, how many instances the census saw, and whether the default allowlist loads it. */
    public record TypeCount(String className, long count, boolean allowedByDefault) {}

    /**
     * One raw array.
     *
     * @param ndarray  true for an {@code NdArray}, false for a plain Java array
     * @param offset   byte offset of its first element in the uncompressed dump (64-byte aligned)
     * @param byteSize bytes of element data
     */
    // equals, hashCode and toString are written below to use the shape's elements, not the array's identity
    @SuppressWarnings("ArrayRecordComponent")
    public record ArrayInfo(boolean ndarray, DType dtype, ByteOrder order, long[] shape, long offset, long byteSize) {
        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof ArrayInfo a
                    && ndarray == a.ndarray
                    && dtype == a.dtype
                    && order.equals(a.order)
                    && Arrays.equals(shape, a.shape)
                    && offset == a.offset
                    && byteSize == a.byteSize;
        }

        @Override
        public int hashCode() {
            return Objects.hash(ndarray, dtype, order, Arrays.hashCode(shape), offset, byteSize);
        }

        @Override
        public String toString() {
            return "ArrayInfo[ndarray=" + ndarray + ", dtype=" + dtype + ", order=" + order + ", shape="
                    + Arrays.toString(shape) + ", offset=" + offset + ", byteSize=" + byteSize + "]";
        }
    }

    /**
     * Reads the description of {@code file}.
     *
     * @throws PersistException when the file is not a joblib4j dump or its header or metadata is corrupt
     */
    public static DumpInfo read(Path file) throws IOException {
        long size = Files.size(file);
        byte[] head = new byte[DumpFormat.HEADER_SIZE];
        int got;
        try (InputStream in = Files.newInputStream(file)) {
            got = in.readNBytes(head, 0, head.length);
        }
        if (DumpFormat.hasMagic(head)) {
            DumpFormat.Header h = DumpFormat.decodeHeader(head, got, file, size);
            byte[] meta = new byte[(int) h.metaLength()];
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer b = ByteBuffer.wrap(meta);
                while (b.hasRemaining() && ch.read(b, DumpFormat.HEADER_SIZE + b.position()) > 0) {
                    // keep reading
                }
            }
            return of(file, size, Compression.Codec.NONE, h, DumpFormat.decodeMeta(h, meta, file));
        }
        var codec = Compression.detect(java.util.Arrays.copyOf(head, got));
        if (codec.isEmpty()) {
            DumpFormat.decodeHeader(head, got, file, size);
            throw new PersistException("not a joblib4j dump", file, 0, null);
        }
        try (InputStream in =
                Compression.decompress(codec.get(), new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            byte[] inner = in.readNBytes(DumpFormat.HEADER_SIZE);
            DumpFormat.Header h = DumpFormat.decodeHeader(inner, inner.length, file, -1);
            byte[] meta = in.readNBytes((int) h.metaLength());
            if (meta.length < h.metaLength()) {
                throw new PersistException(
                        "stream ends inside the metadata", file, DumpFormat.HEADER_SIZE + meta.length, null);
            }
            return of(file, size, codec.get(), h, DumpFormat.decodeMeta(h, meta, file));
        } catch (PersistException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new PersistException("corrupt " + codec.get().label() + " stream: " + e.getMessage(), file, -1, e);
        }
    }

    private static DumpInfo of(Path file, long size, Compression.Codec codec, DumpFormat.Header h, DumpFormat.Meta m) {
        List<TypeCount> types = new ArrayList<>();
        for (DumpFormat.TypeCount t : m.census()) {
            types.add(new TypeCount(
                    t.className(), t.count(), LoadOptions.defaults().isAllowed(t.className())));
        }
        List<ArrayInfo> arrays = new ArrayList<>();
        for (DumpFormat.Entry e : m.entries()) {
            arrays.add(new ArrayInfo(e.ndarray(), e.dtype(), e.order(), e.shape(), e.offset(), e.byteLength()));
        }
        return new DumpInfo(
                file,
                size,
                codec,
                h.version(),
                m.rootType().equals("null") ? null : m.rootType(),
                List.copyOf(types),
                m.censusTruncated(),
                List.copyOf(arrays),
                h.graphLength(),
                h.totalLength(),
                h.layout() == DumpFormat.LAYOUT_SHUFFLED);
    }
}
