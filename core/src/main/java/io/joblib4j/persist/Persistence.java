package io.joblib4j.persist;

import io.joblib4j.array.DType;
import io.joblib4j.array.MmapMode;
import io.joblib4j.array.NdArray;
import io.joblib4j.array.PersistException;
import io.joblib4j.internal.CountingInputStream;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.fory.exception.InsecureException;
import org.jspecify.annotations.Nullable;

/**
 * The dump/load engine behind {@code Joblib.dump}/{@code Joblib.load} (see {@link DumpFormat} for the layout).
 * All methods are thread-safe; concurrent dumps to the same path leave one complete file (the last rename wins).
 */
public final class Persistence {
    private static final System.Logger LOG = System.getLogger("io.joblib4j.persist");
    private static final int CHUNK = 1 << 21;
    /** Bytes of a heap array staged at a time on their way to the file: small enough to stay in the L2 cache. */
    private static final int HEAP_STAGING = 1 << 18;

    private static final long MAP_READ_THRESHOLD = 1 << 22;
    /** Arrays of at least this many bytes are checksummed on another core while a dump writes them. */
    private static final long PARALLEL_CHECKSUM_THRESHOLD = 1 << 22;
    /** Direct buffers shared by all threads (a thread-local one per virtual thread could exhaust direct memory). */
    private static final java.util.concurrent.ConcurrentLinkedQueue<ByteBuffer> BUFFERS =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    private static final int MAX_POOLED_BUFFERS =
            Math.max(2, 2 * Runtime.getRuntime().availableProcessors());

    private Persistence() {}

    /**
     * Does now, on the calling thread, the one-time set-up that the first dump and load in a JVM would otherwise
     * pay for (the serializer builds its runtime: about half a second to a second on a slow machine). Optional;
     * call it on a background thread at start-up when the first dump's latency matters. Thread-safe, idempotent.
     */
    public static void warmUp() {
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            dump(
                    java.util.List.of("warm-up", 1, 2L, 3.0, new double[16], java.util.Map.of("k", "v")),
                    out,
                    Compression.none());
            load(new java.io.ByteArrayInputStream(out.toByteArray()), LoadOptions.defaults());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ================================================================== dump

    /**
     * Writes {@code value} to {@code file} atomically: into a temporary file in the same directory, renamed over
     * {@code file} when complete, so a crash never leaves a partial file under that name.
     *
     * @param compression the codec, or null to choose from the file extension (none when it names no codec)
     */
    public static void dump(Object value, Path file, @Nullable Compression compression) throws IOException {
        Objects.requireNonNull(file, "file");
        Compression c =
                compression != null ? compression : Compression.forFile(file).orElse(Compression.none());
        Layout l = layout(value, c);
        if (Files.isDirectory(file)) {
            throw new PersistException("cannot dump to a directory; name a file", file, -1, null);
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            // a device or a pipe (/dev/stdout, /dev/full): written in place, never renamed over
            Prepared p = l.prepared(checksums(l.arrays()));
            try (OutputStream out = c.compress(
                    new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.WRITE), 1 << 16))) {
                writeTo(out, p);
            } catch (PersistException e) {
                throw e;
            } catch (IOException e) {
                throw new PersistException("cannot write the dump: " + e.getMessage(), file, -1, e);
            }
            return;
        }
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = tempSibling(file);
        try {
            if (c.isNone()) {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    writeTo(ch, l);
                }
            } else if (Chunked.supports(c)) {
                Prepared p = l.prepared(checksums(l.arrays()));
                List<MemorySegment> segments = new ArrayList<>(p.arrays.size());
                for (Object a : p.arrays) {
                    segments.add(segmentOf(a));
                }
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    Chunked.write(ch, c, Chunked.pieces(p.head, segments, p.entries, p.total, p.shuffled));
                }
            } else {
                Prepared p = l.prepared(checksums(l.arrays()));
                try (OutputStream out = c.compress(
                        new BufferedOutputStream(Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW), 1 << 16))) {
                    writeTo(out, p);
                }
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (PersistException e) {
            throw e;
        } catch (IOException e) {
            // "No space left on device" alone does not say where
            throw new PersistException(
                    "cannot write the dump (through the temporary file " + tmp.getFileName()
                            + " in the same directory): " + e,
                    file,
                    -1,
                    e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes {@code value} to {@code out} (left open) compressed with {@code compression} (null: none). */
    public static void dump(Object value, OutputStream out, @Nullable Compression compression) throws IOException {
        Objects.requireNonNull(out, "out");
        Compression c = compression == null ? Compression.none() : compression;
        Prepared p = prepare(value, c);
        OutputStream shield = new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
        try (OutputStream o = c.compress(shield)) {
            writeTo(o, p);
        }
    }

    /** A serialized dump ready to be written: header + metadata bytes and the arrays with their offsets. */
    @SuppressWarnings("ArrayRecordComponent") // an intermediate of one dump: never compared or hashed
    private record Prepared(
            byte[] head, List<Object> arrays, List<DumpFormat.Entry> entries, long total, boolean shuffled) {}

    /** A dump laid out: everything but the arrays' checksums, which {@link #head} puts in the header's metadata. */
    @SuppressWarnings("ArrayRecordComponent") // an intermediate of one dump: never compared or hashed
    private record Layout(
            List<Object> arrays,
            List<DumpFormat.Entry> entries,
            TypeCensus census,
            String root,
            byte[] graph,
            long dataOffset,
            long total,
            int layout,
            Compression compression) {

        /** The bytes of the arrays' data. */
        long arrayBytes() {
            long n = 0;
            for (DumpFormat.Entry e : entries) {
                n += e.byteLength();
            }
            return n;
        }

        /** The header and the metadata, with these checksums (two longs per array). */
        byte[] head(long[] checksums) {
            byte[] meta = DumpFormat.encodeMeta(entries, census.counts, census.truncated, root, checksums, graph);
            byte[] header = DumpFormat.encodeHeader(new DumpFormat.Header(
                    DumpFormat.VERSION,
                    compression.codec().id(),
                    layout,
                    entries.size(),
                    meta.length,
                    graph.length,
                    dataOffset,
                    total,
                    DumpFormat.crc(meta, 0, meta.length)));
            byte[] head = new byte[header.length + meta.length];
            System.arraycopy(header, 0, head, 0, header.length);
            System.arraycopy(meta, 0, head, header.length, meta.length);
            return head;
        }

        Prepared prepared(long[] checksums) {
            return new Prepared(head(checksums), arrays, entries, total, layout == DumpFormat.LAYOUT_SHUFFLED);
        }
    }

    private static Prepared prepare(Object value, Compression c) throws PersistException {
        Layout l = layout(value, c);
        return l.prepared(checksums(l.arrays()));
    }

    /** The checksums the dump stores: two longs (XXH3-128) per array. */
    private static long[] checksums(List<Object> arrays) {
        long[] checksums = new long[2 * arrays.size()];
        for (int i = 0; i < arrays.size(); i++) {
            io.joblib4j.hash.Hash128 h = checksumOf(arrays.get(i));
            checksums[2 * i] = h.high();
            checksums[2 * i + 1] = h.low();
        }
        return checksums;
    }

    private static Layout layout(Object value, Compression c) throws PersistException {
        Serialized s;
        try {
            s = serialize(value);
        } catch (RuntimeException | StackOverflowError e) {
            if (!overflowed(e)) {
                throw cannotSerialize(value, e);
            }
            checkDepth(value);
            try {
                // nested deeper than this thread's stack allows, within what load reads: a thread with a large stack
                s = io.joblib4j.internal.LargeStack.call("joblib4j-dump", () -> serialize(value));
            } catch (Exception | StackOverflowError again) {
                throw cannotSerialize(value, again);
            }
        }
        byte[] graph = s.graph();
        List<Object> arrays = s.arrays();
        if (graph.length > ForyEngine.MAX_DUMP_DEPTH) {
            // every level of nesting takes at least one byte of the stream: a shorter stream cannot be too deep
            checkDepth(value);
        }
        List<DumpFormat.Entry> entries = new ArrayList<>(arrays.size());
        for (Object a : arrays) {
            DumpFormat.Entry e = entryOf(a, 0);
            entries.add(e);
        }
        TypeCensus census = TypeCensus.of(value);
        String root = value == null ? "null" : value.getClass().getName();
        // the metadata's length does not depend on the checksums' values: lay out the data after it
        long[] unknown = new long[2 * arrays.size()];
        byte[] probe = DumpFormat.encodeMeta(entries, census.counts, census.truncated, root, unknown, graph);
        long pos = DumpFormat.align(DumpFormat.HEADER_SIZE + probe.length);
        long dataOffset = pos;
        long end = DumpFormat.HEADER_SIZE + (long) probe.length;
        for (int i = 0; i < entries.size(); i++) {
            DumpFormat.Entry e = entries.get(i);
            entries.set(i, new DumpFormat.Entry(e.ndarray(), e.dtype(), e.order(), e.shape(), pos, e.byteLength()));
            end = pos + e.byteLength();
            pos = DumpFormat.align(end);
        }
        int layout = c.isNone() ? DumpFormat.LAYOUT : DumpFormat.LAYOUT_SHUFFLED;
        return new Layout(arrays, entries, census, root, graph, dataOffset, end, layout, c);
    }

    @SuppressWarnings("ArrayRecordComponent") // an intermediate of one dump: never compared or hashed
    private record Serialized(byte[] graph, List<Object> arrays) {}

    private static Serialized serialize(Object value) {
        ForyEngine.Instance fory = ForyEngine.writer();
        byte[] graph = fory.fory.serialize(value);
        Serialized s = new Serialized(graph, new ArrayList<>(fory.written));
        // only an instance that finished its write goes back to the pool (a failed one may be left mid-write)
        ForyEngine.releaseWriter(fory);
        return s;
    }

    private static boolean overflowed(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StackOverflowError) {
                return true;
            }
        }
        return false;
    }

    /** Refuses a value that nests deeper than {@code load} reads, naming where. */
    private static void checkDepth(Object value) throws PersistException {
        GraphWalk.Node deep = GraphWalk.deeperThan(value, ForyEngine.MAX_DUMP_DEPTH);
        if (deep != null) {
            throw new PersistException("cannot dump " + describe(value) + ": it nests more than "
                    + ForyEngine.MAX_DUMP_DEPTH + " levels deep (at " + deep.path() + ", a "
                    + deep.value().getClass().getName() + "); load reads at most " + ForyEngine.MAX_DUMP_DEPTH
                    + " levels of collections, maps, arrays and objects");
        }
    }

    /** Names the object that cannot be written and the path to it from the root. */
    private static PersistException cannotSerialize(Object value, Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String what = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        if (overflowed(e)) {
            return new PersistException(
                    "cannot dump " + describe(value) + ": it nests too deeply to be written (" + what + ")", e);
        }
        GraphWalk.Node at;
        try {
            at = GraphWalk.culprit(
                    value,
                    o -> {
                        try {
                            serialize(o);
                            return false;
                        } catch (RuntimeException | StackOverflowError failed) {
                            return true;
                        }
                    },
                    10_000);
        } catch (RuntimeException | StackOverflowError walkFailed) {
            at = null;
        }
        String where = at == null || at.value() == null
                ? ""
                : " " + at.path() + ": " + at.value().getClass().getName() + " cannot be written;";
        return new PersistException("cannot dump " + describe(value) + ":" + where + " " + what, e);
    }

    private static DumpFormat.Entry entryOf(Object a, long offset) {
        if (a instanceof NdArray nd) {
            return new DumpFormat.Entry(true, nd.dtype(), nd.order(), nd.shape(), offset, nd.byteSize());
        }
        DType t = DType.ofJavaArray(a.getClass());
        long n = java.lang.reflect.Array.getLength(a);
        return new DumpFormat.Entry(false, t, ByteOrder.nativeOrder(), new long[] {n}, offset, n * t.itemSize());
    }

    /** The checksum the dump stores for an array: XXH3-128 of its elements as little-endian bytes. */
    private static io.joblib4j.hash.Hash128 checksumOf(Object a) {
        if (a instanceof NdArray nd) {
            return io.joblib4j.hash.Hashing.xxh3(nd.segment(), nd.dtype().itemSize(), nd.order());
        }
        return io.joblib4j.hash.Hashing.xxh3(
                segmentOf(a), DType.ofJavaArray(a.getClass()).itemSize(), ByteOrder.nativeOrder());
    }

    /** Checks a loaded array against the checksum of the dump, when it has one and the options ask for it. */
    private static void verify(Object loaded, DumpFormat.Meta m, int i, LoadOptions opts, @Nullable Path file)
            throws PersistException {
        long[] sums = m.checksums();
        if (sums == null || !opts.verifiesChecksums()) {
            return;
        }
        check(checksumOf(loaded), m, i, file);
    }

    /** Compares the checksum of array {@code i}'s bytes with the one its dump stores. */
    private static void check(io.joblib4j.hash.Hash128 h, DumpFormat.Meta m, int i, @Nullable Path file)
            throws PersistException {
        long[] sums = Objects.requireNonNull(m.checksums(), "checksums");
        if (h.high() != sums[2 * i] || h.low() != sums[2 * i + 1]) {
            DumpFormat.Entry e = m.entries().get(i);
            throw new PersistException(
                    "array " + i + " (" + e.dtype().numpyName() + " "
                            + java.util.Arrays.toString(e.shape()) + "): data checksum mismatch: the " + e.byteLength()
                            + " bytes at offset " + e.offset() + " are corrupt",
                    file,
                    e.offset(),
                    null);
        }
    }

    private static MemorySegment segmentOf(Object a) {
        return switch (a) {
            case NdArray nd -> nd.segment();
            case boolean[] b -> NdArray.copyOf(b).segment();
            default -> NdArray.ofJavaArray(a).segment();
        };
    }

    /**
     * Writes an uncompressed dump: the arrays at their offsets, then the header with their checksums. For large
     * arrays the checksums run on another core while this one writes (the header's length does not depend on them).
     */
    private static void writeTo(FileChannel ch, Layout l) throws IOException {
        if (l.arrayBytes() < PARALLEL_CHECKSUM_THRESHOLD) {
            writeTo(ch, l.prepared(checksums(l.arrays())));
            return;
        }
        java.util.concurrent.Future<long[]> sums = Chunked.submit(() -> checksums(l.arrays()));
        try {
            writeArrays(ch, l.arrays(), l.entries(), l.total());
        } finally {
            Chunked.quietlyAwait(sums);
        }
        writeFully(ch, ByteBuffer.wrap(l.head(Chunked.await(sums))), 0);
    }

    private static void writeTo(FileChannel ch, Prepared p) throws IOException {
        writeFully(ch, ByteBuffer.wrap(p.head), 0);
        writeArrays(ch, p.arrays, p.entries, p.total);
    }

    private static void writeArrays(FileChannel ch, List<Object> arrays, List<DumpFormat.Entry> entries, long total)
            throws IOException {
        for (int i = 0; i < arrays.size(); i++) {
            MemorySegment seg = segmentOf(arrays.get(i));
            long at = entries.get(i).offset();
            if (seg.isNative()) {
                long size = seg.byteSize();
                for (long done = 0; done < size; done += CHUNK) {
                    long n = Math.min(CHUNK, size - done);
                    writeFully(ch, seg.asSlice(done, n).asByteBuffer(), at + done);
                }
            } else {
                ByteBuffer buf = takeBuffer();
                try {
                    MemorySegment bufSeg = MemorySegment.ofBuffer(buf.clear());
                    long size = seg.byteSize();
                    // Small steps keep the staging buffer in the CPU cache between the copy and the write.
                    for (long done = 0; done < size; done += HEAP_STAGING) {
                        int n = (int) Math.min(HEAP_STAGING, size - done);
                        MemorySegment.copy(seg, done, bufSeg, 0, n);
                        buf.clear().limit(n);
                        writeFully(ch, buf, at + done);
                    }
                } finally {
                    giveBuffer(buf);
                }
            }
        }
        if (ch.size() < total) {
            writeFully(ch, ByteBuffer.allocate(1), total - 1);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            pos += ch.write(b, pos);
        }
    }

    private static void writeTo(OutputStream out, Prepared p) throws IOException {
        out.write(p.head);
        long pos = p.head.length;
        byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(64, maxArrayBytes(p)))];
        MemorySegment bufSeg = MemorySegment.ofArray(buf);
        for (int i = 0; i < p.arrays.size(); i++) {
            long at = p.entries.get(i).offset();
            while (pos < at) {
                int n = (int) Math.min(buf.length, at - pos);
                java.util.Arrays.fill(buf, 0, n, (byte) 0);
                out.write(buf, 0, n);
                pos += n;
            }
            MemorySegment seg = segmentOf(p.arrays.get(i));
            long size = seg.byteSize();
            int item = p.entries.get(i).dtype().itemSize();
            if (p.shuffled && item > 1) {
                int block = Shuffle.BLOCK_ELEMENTS * item;
                byte[] plain = new byte[(int) Math.min(block, size)];
                byte[] planes = new byte[plain.length];
                for (long done = 0; done < size; done += block) {
                    int n = (int) Math.min(block, size - done);
                    MemorySegment.copy(seg, done, MemorySegment.ofArray(plain), 0, n);
                    Shuffle.shuffle(plain, planes, n / item, item);
                    out.write(planes, 0, n);
                }
            } else {
                for (long done = 0; done < size; done += buf.length) {
                    int n = (int) Math.min(buf.length, size - done);
                    MemorySegment.copy(seg, done, bufSeg, 0, n);
                    out.write(buf, 0, n);
                }
            }
            pos += size;
        }
    }

    private static long maxArrayBytes(Prepared p) {
        long m = 0;
        for (DumpFormat.Entry e : p.entries) {
            m = Math.max(m, e.byteLength());
        }
        return m;
    }

    // ================================================================== load

    /**
     * Reads the object graph stored in {@code file}. Uncompressed files are read with positional I/O and, when
     * {@code options.mmapMode()} is set, their NdArrays are memory-mapped; compressed files (detected from their
     * magic bytes) are decompressed onto the heap, and a requested mmap mode is ignored with one warning.
     *
     * @throws DisallowedClassException when the file holds a class that {@code options} does not allow
     * @throws PersistException         when the file is not a dump, is truncated or corrupt (naming the offset)
     */
    public static Object load(Path file, LoadOptions options) throws IOException {
        Objects.requireNonNull(file, "file");
        LoadOptions opts = options == null ? LoadOptions.defaults() : options;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            byte[] head = new byte[DumpFormat.HEADER_SIZE];
            int got = readAt(ch, ByteBuffer.wrap(head), 0);
            if (!DumpFormat.hasMagic(head)) {
                var codec = Compression.detect(java.util.Arrays.copyOf(head, got));
                if (codec.isEmpty()) {
                    DumpFormat.decodeHeader(head, got, file, size);
                    throw new PersistException("not a joblib4j dump", file, 0, null);
                }
                if (opts.mmapMode() != null) {
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "{0} is compressed with {1}: it cannot be memory-mapped, "
                                    + "loading it onto the heap (mmap mode {2} ignored)",
                            file,
                            codec.get().label(),
                            opts.mmapMode());
                }
                Chunked.Index index = Chunked.index(ch, size, codec.get());
                if (index != null) {
                    return readChunked(ch, index, opts, file, size);
                }
                try (InputStream in = new BufferedInputStream(Channels.newInputStream(ch.position(0)), 1 << 16)) {
                    return readCompressed(codec.get(), in, opts, file, size);
                }
            }
            DumpFormat.Header h = DumpFormat.decodeHeader(head, got, file, size);
            if (h.layout() != DumpFormat.LAYOUT) {
                try (InputStream in = new BufferedInputStream(Channels.newInputStream(ch.position(0)), 1 << 16)) {
                    return readStream(in, opts, file, -1, true); // decodeHeader checked the length against the file
                }
            }
            byte[] meta = new byte[(int) h.metaLength()];
            if (readAt(ch, ByteBuffer.wrap(meta), DumpFormat.HEADER_SIZE) < meta.length) {
                throw new PersistException("file ends inside the metadata", file, size, null);
            }
            DumpFormat.Meta m = DumpFormat.decodeMeta(h, meta, file);
            if (opts.mmapMode() == MmapMode.READ_WRITE
                    && m.checksummed()
                    && m.entries().stream().anyMatch(DumpFormat.Entry::ndarray)) {
                try (FileChannel rw = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    DumpFormat.markChecksumsStale(rw, head, meta, m);
                }
            }
            Object[] arrays = new Object[m.entries().size()];
            long heapBytes = 0;
            for (DumpFormat.Entry e : m.entries()) {
                heapBytes += e.ndarray() && opts.mmapMode() != null ? 0 : e.byteLength();
            }
            // large reads go through one temporary mapping of the data area: a single copy, no read() calls
            // (shared: the checksum of each array is computed on another thread, which must end before it closes)
            try (Arena arena = Arena.ofShared()) {
                MemorySegment data = heapBytes >= MAP_READ_THRESHOLD
                        ? ch.map(FileChannel.MapMode.READ_ONLY, h.dataOffset(), h.totalLength() - h.dataOffset(), arena)
                        : null;
                for (int i = 0; i < arrays.length; i++) {
                    DumpFormat.Entry e = m.entries().get(i);
                    if (e.ndarray() && opts.mmapMode() != null) {
                        arrays[i] = NdArray.map(file, e.offset(), e.dtype(), e.order(), opts.mmapMode(), e.shape());
                    } else if (data != null) {
                        MemorySegment bytes = data.asSlice(e.offset() - h.dataOffset(), e.byteLength());
                        // the checksum of the file's bytes runs on another core while this one copies them
                        java.util.concurrent.Future<io.joblib4j.hash.Hash128> sum =
                                m.checksums() != null && opts.verifiesChecksums()
                                        ? Chunked.submit(() -> io.joblib4j.hash.Hashing.xxh3(
                                                bytes, e.dtype().itemSize(), e.order()))
                                        : null;
                        try {
                            Target t = target(e);
                            t.put(bytes, 0, e.byteLength());
                            arrays[i] = t.result;
                        } finally {
                            if (sum != null) {
                                Chunked.quietlyAwait(sum); // it reads the mapping: done before the arena closes
                            }
                        }
                        if (sum != null) {
                            check(Chunked.await(sum), m, i, file);
                        }
                    } else {
                        arrays[i] = readArray(ch, e, file);
                        verify(arrays[i], m, i, opts, file);
                    }
                }
            }
            return decodeGraph(meta, m.graphStart(), arrays, opts, file);
        }
    }

    /**
     * Reads one dump from {@code in} (compressed or not, detected from the magic bytes), leaving {@code in} open.
     * NdArrays are read onto the heap: a requested mmap mode is ignored with one logged warning.
     */
    public static Object load(InputStream in, LoadOptions options) throws IOException {
        Objects.requireNonNull(in, "in");
        LoadOptions opts = options == null ? LoadOptions.defaults() : options;
        if (opts.mmapMode() != null) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "a stream cannot be memory-mapped: loading it onto the heap (mmap "
                            + "mode {0} ignored); load from a file to map its arrays",
                    opts.mmapMode());
        }
        InputStream buffered = in.markSupported() ? in : new BufferedInputStream(in, 1 << 16);
        buffered.mark(16);
        byte[] head = buffered.readNBytes(8);
        buffered.reset();
        if (!DumpFormat.hasMagic(head)) {
            var codec = Compression.detect(head);
            if (codec.isPresent()) {
                return readCompressed(codec.get(), buffered, opts, null, -1);
            }
        }
        return readStream(buffered, opts, null, -1, false);
    }

    /**
     * Decompresses and reads a dump, refusing it once it expands beyond {@code opts.expansionLimit} of the
     * compressed bytes read so far (and, when {@code compressedSize} is known, at once when the header claims more).
     */
    private static Object readCompressed(
            Compression.Codec codec, InputStream in, LoadOptions opts, @Nullable Path file, long compressedSize)
            throws IOException {
        CountingInputStream source = new CountingInputStream(in);
        InputStream plain = new Expansion(decompress(codec, source, file), source, codec, opts, file);
        return readStream(plain, opts, file, compressedSize, compressedSize >= 0);
    }

    /**
     * Reads a file in the chunked container ({@link Chunked}): the header and metadata from the first pieces, then
     * every array's pieces on all cores, each decoded into a per-thread buffer and unshuffled straight into its
     * place in the array. The index was checked against the file's size; here every piece must lie within the
     * metadata, one array (starting at a shuffle block of it) or the padding, and decode to its indexed length.
     */
    private static Object readChunked(
            FileChannel ch, Chunked.Index ix, LoadOptions opts, @Nullable Path file, long size) throws IOException {
        String codec = ix.codec().label();
        if (ix.total() > opts.expansionLimit(size)) {
            throw new PersistException(
                    "the index says the dump holds " + ix.total() + " bytes, more than this " + size
                            + "-byte compressed file may expand to (" + opts.expansionLimit(size) + " bytes: ratio "
                            + opts.maxExpansionRatio() + " after the first " + LoadOptions.EXPANSION_GRACE_BYTES
                            + " bytes); for a trusted file raise LoadOptions.builder().maxExpansionRatio(...)",
                    file,
                    size - Chunked.TAIL,
                    null);
        }
        long maxHeap = Runtime.getRuntime().maxMemory();
        if (ix.total() > maxHeap) {
            throw new PersistException(
                    "the dump holds " + ix.total() + " bytes, more than the heap can hold (" + maxHeap + ")",
                    file,
                    size - Chunked.TAIL,
                    null);
        }
        int n = ix.size();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment src = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            Chunked.Decoder d = new Chunked.Decoder(ix);
            decodePiece(d, ix, 0, src, file);
            if (ix.plainLength()[0] < DumpFormat.HEADER_SIZE) {
                throw new PersistException(
                        "the first " + codec + " piece holds " + ix.plainLength()[0] + " bytes, less than the header",
                        file,
                        ix.packedAt()[0],
                        null);
            }
            byte[] head = new byte[DumpFormat.HEADER_SIZE];
            MemorySegment.copy(d.plainSegment, 0, MemorySegment.ofArray(head), 0, head.length);
            DumpFormat.Header h = DumpFormat.decodeHeader(head, head.length, file, -1);
            if (h.totalLength() != ix.total()) {
                throw new PersistException(
                        "the header says the dump holds " + h.totalLength() + " bytes, the index of the " + codec
                                + " pieces " + ix.total(),
                        file,
                        40,
                        null);
            }
            byte[] meta = new byte[(int) h.metaLength()];
            long metaEnd = DumpFormat.HEADER_SIZE + h.metaLength();
            for (int k = 0; k < n && ix.plainAt()[k] < metaEnd; k++) {
                if (k > 0) {
                    decodePiece(d, ix, k, src, file);
                }
                long from = Math.max(ix.plainAt()[k], DumpFormat.HEADER_SIZE);
                long to = Math.min(ix.plainAt()[k] + ix.plainLength()[k], metaEnd);
                if (to > from) {
                    MemorySegment.copy(
                            d.plainSegment,
                            from - ix.plainAt()[k],
                            MemorySegment.ofArray(meta),
                            from - DumpFormat.HEADER_SIZE,
                            to - from);
                }
            }
            DumpFormat.Meta m = DumpFormat.decodeMeta(h, meta, file);
            List<DumpFormat.Entry> entries = m.entries();
            boolean shuffled = h.layout() == DumpFormat.LAYOUT_SHUFFLED;
            int[] arrayOf = new int[n];
            int[] work = new int[n];
            int jobs = 0;
            int a = 0;
            for (int k = 0; k < n; k++) {
                long s = ix.plainAt()[k];
                long e = s + ix.plainLength()[k];
                while (a < entries.size()
                        && entries.get(a).offset() + entries.get(a).byteLength() <= s) {
                    a++;
                }
                arrayOf[k] = -1;
                if (a < entries.size() && entries.get(a).offset() <= s) {
                    DumpFormat.Entry en = entries.get(a);
                    long end = en.offset() + en.byteLength();
                    long block = (long) Shuffle.BLOCK_ELEMENTS * en.dtype().itemSize();
                    if (e > end
                            || (shuffled && ((s - en.offset()) % block != 0 || (e != end && (e - s) % block != 0)))) {
                        throw new PersistException(
                                Chunked.describe(ix, k) + " (dump bytes " + s + ".." + e + ") does not fit array " + a
                                        + " (bytes " + en.offset() + ".." + end + ") in whole shuffle blocks",
                                file,
                                ix.packedAt()[k],
                                null);
                    }
                    arrayOf[k] = a;
                    work[jobs++] = k;
                } else if (a < entries.size() && e > entries.get(a).offset()) {
                    throw new PersistException(
                            Chunked.describe(ix, k) + " (dump bytes " + s + ".." + e + ") runs into array " + a
                                    + " (from byte " + entries.get(a).offset() + ")",
                            file,
                            ix.packedAt()[k],
                            null);
                }
            }
            Target[] targets = new Target[entries.size()];
            Object[] arrays = new Object[entries.size()];
            for (int i = 0; i < targets.length; i++) {
                targets[i] = target(entries.get(i));
                arrays[i] = targets[i].result;
            }
            int pieces = jobs;
            Chunked.forEach(ix, pieces, (j, pieceDecoder) -> {
                Chunked.Decoder dec =
                        Objects.requireNonNull(pieceDecoder, "decoder"); // forEach gives one when it has an index
                int k = work[j];
                decodePiece(dec, ix, k, src, file);
                DumpFormat.Entry en = entries.get(arrayOf[k]);
                Target t = targets[arrayOf[k]];
                long at = ix.plainAt()[k] - en.offset();
                int len = ix.plainLength()[k];
                int item = en.dtype().itemSize();
                if (!shuffled || item == 1) {
                    t.put(dec.plainSegment, at, len);
                    return;
                }
                boolean direct =
                        t.getClass() == Target.class && (en.ndarray() || en.order() == ByteOrder.nativeOrder());
                MemorySegment into = direct ? t.dst : dec.spare();
                long base = direct ? at : 0;
                int block = Shuffle.BLOCK_ELEMENTS * item;
                for (int done = 0; done < len; done += block) {
                    int step = Math.min(block, len - done);
                    Shuffle.unshuffle(dec.plainSegment, done, into, base + done, step / item, item);
                }
                if (!direct) {
                    t.put(into, at, len);
                }
            });
            Chunked.forEach(null, arrays.length, (i, unused) -> verify(arrays[i], m, i, opts, file));
            return decodeGraph(meta, m.graphStart(), arrays, opts, file);
        }
    }

    private static void decodePiece(Chunked.Decoder d, Chunked.Index ix, int k, MemorySegment src, @Nullable Path file)
            throws PersistException {
        try {
            d.decode(ix, k, src);
        } catch (IOException | RuntimeException e) {
            throw new PersistException(
                    "corrupt " + ix.codec().label() + " dump: " + Chunked.describe(ix, k) + ": " + e.getMessage(),
                    file,
                    ix.packedAt()[k],
                    e);
        }
    }

    /** Refuses decompressed output beyond the expansion limit of the compressed bytes read so far. */
    private static final class Expansion extends CountingInputStream {
        private final CountingInputStream source;
        private final Compression.Codec codec;
        private final LoadOptions opts;
        private final @Nullable Path file;

        Expansion(
                InputStream in,
                CountingInputStream source,
                Compression.Codec codec,
                LoadOptions opts,
                @Nullable Path file) {
            super(in);
            this.source = source;
            this.codec = codec;
            this.opts = opts;
            this.file = file;
        }

        @Override
        protected void counted(long n) throws PersistException {
            long limit = opts.expansionLimit(source.count());
            if (count() > limit) {
                throw new PersistException(
                        "the " + codec.label() + " stream expands to more than " + limit
                                + " bytes from " + source.count()
                                + " compressed bytes, beyond the expansion limit (ratio "
                                + opts.maxExpansionRatio() + " after the first " + LoadOptions.EXPANSION_GRACE_BYTES
                                + " bytes): refusing it as a possible compression bomb; for a trusted file raise "
                                + "LoadOptions.builder().maxExpansionRatio(...)",
                        file,
                        source.count(),
                        null);
            }
        }
    }

    private static InputStream decompress(Compression.Codec codec, InputStream in, @Nullable Path file)
            throws PersistException {
        try {
            return Compression.decompress(codec, in);
        } catch (IOException | RuntimeException e) {
            throw new PersistException("corrupt " + codec.label() + " stream: " + e.getMessage(), file, 0, e);
        }
    }

    /**
     * Reads a dump from a stream (decompressed or raw).
     *
     * @param compressedSize the size of the compressed file, to check the header's total length against the
     *                       expansion limit before reading on, or -1
     * @param sizeChecked    whether the header's total length was checked against the file or the expansion limit:
     *                       arrays are then allocated at once, else as their bytes arrive (see {@link Staged}), so
     *                       that a stream's header claiming more than the stream holds costs little
     */
    private static Object readStream(
            InputStream in, LoadOptions opts, @Nullable Path file, long compressedSize, boolean sizeChecked)
            throws IOException {
        long pos = 0;
        try {
            byte[] head = in.readNBytes(DumpFormat.HEADER_SIZE);
            DumpFormat.Header h = DumpFormat.decodeHeader(head, head.length, file, -1);
            pos = head.length;
            long maxHeap = Runtime.getRuntime().maxMemory();
            if (h.totalLength() > maxHeap) {
                throw new PersistException(
                        "the dump holds " + h.totalLength() + " bytes, more than the heap can hold (" + maxHeap + ")",
                        file,
                        40,
                        null);
            }
            if (compressedSize >= 0 && h.totalLength() > opts.expansionLimit(compressedSize)) {
                throw new PersistException(
                        "the header says the dump holds " + h.totalLength() + " bytes, more than "
                                + "this " + compressedSize + "-byte compressed file may expand to ("
                                + opts.expansionLimit(compressedSize) + " bytes: ratio " + opts.maxExpansionRatio()
                                + " after the first " + LoadOptions.EXPANSION_GRACE_BYTES
                                + " bytes); for a trusted file "
                                + "raise LoadOptions.builder().maxExpansionRatio(...)",
                        file,
                        40,
                        null);
            }
            byte[] meta = in.readNBytes((int) h.metaLength());
            if (meta.length < h.metaLength()) {
                throw new PersistException(
                        "stream ends inside the metadata (expected " + h.metaLength() + " bytes, found " + meta.length
                                + ")",
                        file,
                        pos + meta.length,
                        null);
            }
            pos += meta.length;
            DumpFormat.Meta m = DumpFormat.decodeMeta(h, meta, file);
            Object[] arrays = new Object[m.entries().size()];
            long largest = 64;
            for (DumpFormat.Entry e : m.entries()) {
                largest = Math.max(largest, e.byteLength());
            }
            // no larger than the largest array: a small dump read from a stream allocates little
            byte[] buf = new byte[(int) Math.min(CHUNK, largest)];
            MemorySegment bufSeg = MemorySegment.ofArray(buf);
            for (int i = 0; i < arrays.length; i++) {
                DumpFormat.Entry e = m.entries().get(i);
                long skip = e.offset() - pos;
                try {
                    in.skipNBytes(skip);
                } catch (EOFException ex) {
                    throw new PersistException("stream ends before array " + i, file, pos, null);
                }
                pos = e.offset();
                Staged t = new Staged(e, sizeChecked);
                long size = e.byteLength();
                int item = e.dtype().itemSize();
                boolean shuffled = h.layout() == DumpFormat.LAYOUT_SHUFFLED && item > 1;
                int step = shuffled ? Shuffle.BLOCK_ELEMENTS * item : buf.length;
                byte @Nullable [] planes = shuffled ? new byte[(int) Math.min(step, size)] : null;
                for (long done = 0; done < size; ) {
                    int want = (int) Math.min(step, size - done);
                    if (planes != null) { // shuffled
                        int n = in.readNBytes(planes, 0, want);
                        if (n < want) {
                            throw new PersistException(
                                    "stream ends inside array " + i + " (" + (done + n) + " of " + size + " bytes)",
                                    file,
                                    pos + done + n,
                                    null);
                        }
                        Shuffle.unshuffle(planes, buf, want / item, item);
                        t.put(bufSeg, done, want);
                        done += want;
                        continue;
                    }
                    int n = in.readNBytes(buf, 0, want);
                    if (n < want) {
                        throw new PersistException(
                                "stream ends inside array " + i + " (" + (done + n) + " of " + size + " bytes)",
                                file,
                                pos + done + n,
                                null);
                    }
                    t.put(bufSeg, done, n);
                    done += n;
                }
                pos += size;
                arrays[i] = t.result();
                verify(arrays[i], m, i, opts, file);
            }
            return decodeGraph(meta, m.graphStart(), arrays, opts, file);
        } catch (PersistException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new PersistException("cannot read the dump stream: " + e, file, pos, e);
        }
    }

    /**
     * A {@link Target} allocated at once when its size was checked, else only once its bytes arrive: up to {@link #DIRECT_ALLOCATION} bytes at once, a
     * larger array when half of its bytes have been read (they wait in copies until then). Memory then grows with
     * the data a stream really holds, not with what its header claims.
     */
    private static final class Staged {
        private static final long DIRECT_ALLOCATION = 16L << 20;
        private final DumpFormat.Entry entry;
        private final List<byte[]> chunks = new ArrayList<>();
        private @Nullable Target target;

        Staged(DumpFormat.Entry entry, boolean atOnce) {
            this.entry = entry;
            if (atOnce || entry.byteLength() <= DIRECT_ALLOCATION) {
                target = target(entry);
            }
        }

        void put(MemorySegment src, long at, long n) {
            if (target == null && at + n < entry.byteLength() / 2) {
                byte[] copy = new byte[(int) n];
                MemorySegment.copy(src, 0, MemorySegment.ofArray(copy), 0, n);
                chunks.add(copy);
                return;
            }
            allocate().put(src, at, n);
        }

        private Target allocate() {
            Target t = target;
            if (t != null) {
                return t;
            }
            t = target(entry);
            target = t;
            long at = 0;
            for (byte[] c : chunks) {
                t.put(MemorySegment.ofArray(c), at, c.length);
                at += c.length;
            }
            chunks.clear();
            return t;
        }

        Object result() {
            return allocate().result;
        }
    }

    /** Where the bytes of one array go while it is read, converting the byte order when needed. */
    private static class Target {
        final Object result;
        final MemorySegment dst;
        final DumpFormat.Entry entry;

        Target(Object result, MemorySegment dst, DumpFormat.Entry entry) {
            this.result = result;
            this.dst = dst;
            this.entry = entry;
        }

        void put(MemorySegment src, long at, long n) {
            int item = entry.dtype().itemSize();
            if (entry.order() == ByteOrder.nativeOrder() || item == 1 || entry.ndarray()) {
                MemorySegment.copy(src, 0, dst, at, n);
            } else {
                swapCopy(src, entry.order(), dst, at, n, item);
            }
        }
    }

    private static void swapCopy(MemorySegment src, ByteOrder srcOrder, MemorySegment dst, long at, long n, int item) {
        var le = switch (item) {
            case 2 -> java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
            case 4 -> java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
            default -> java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
        };
        MemorySegment.copy(src, le.withOrder(srcOrder), 0, dst, le.withOrder(ByteOrder.nativeOrder()), at, n / item);
    }

    private static Target target(DumpFormat.Entry e) {
        if (e.ndarray()) {
            NdArray raw = NdArray.zeros(e.dtype(), e.shape());
            NdArray withOrder =
                    raw.order() == e.order() ? raw : NdArray.of(e.dtype(), e.order(), raw.segment(), e.shape());
            return new Target(withOrder, raw.segment(), e);
        }
        Object arr = java.lang.reflect.Array.newInstance(
                // a plain Java array in the dump has a dtype with a Java array type
                Objects.requireNonNull(e.dtype().javaArrayType()).getComponentType(), (int) e.shape()[0]);
        if (arr instanceof boolean[] bools) {
            byte[] bytes = new byte[bools.length];
            return new Target(arr, MemorySegment.ofArray(bytes), e) {
                @Override
                void put(MemorySegment src, long at, long n) {
                    for (int k = 0; k < n; k++) {
                        bools[(int) (at + k)] = src.get(java.lang.foreign.ValueLayout.JAVA_BYTE, k) != 0;
                    }
                }
            };
        }
        return new Target(arr, NdArray.ofJavaArray(arr).segment(), e);
    }

    private static Object readArray(FileChannel ch, DumpFormat.Entry e, @Nullable Path file) throws IOException {
        Target t = target(e);
        ByteBuffer buf = takeBuffer();
        try {
            MemorySegment bufSeg = MemorySegment.ofBuffer(buf.clear());
            long size = e.byteLength();
            for (long done = 0; done < size; ) {
                int want = (int) Math.min(CHUNK, size - done);
                buf.clear().limit(want);
                int n = readAt(ch, buf, e.offset() + done);
                if (n < want) {
                    throw new PersistException("file ends inside an array", file, e.offset() + done + n, null);
                }
                t.put(bufSeg, done, n);
                done += n;
            }
            return t.result;
        } finally {
            giveBuffer(buf);
        }
    }

    private static ByteBuffer takeBuffer() {
        ByteBuffer b = BUFFERS.poll();
        return b != null ? b.clear() : ByteBuffer.allocateDirect(CHUNK);
    }

    private static void giveBuffer(ByteBuffer b) {
        if (BUFFERS.size() < MAX_POOLED_BUFFERS) {
            BUFFERS.offer(b);
        }
    }

    private static int readAt(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        int total = 0;
        while (b.hasRemaining()) {
            int n = ch.read(b, pos + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private static Object decodeGraph(
            byte[] meta, int graphStart, Object[] arrays, LoadOptions opts, @Nullable Path file)
            throws PersistException {
        try {
            return decodeGraphOnThisThread(meta, graphStart, arrays, opts, file);
        } catch (PersistException e) {
            if (!overflowed(e)) {
                throw e;
            }
        }
        // a deep graph (within the read depth limit) that this thread's stack cannot hold: a thread with a large one
        try {
            return io.joblib4j.internal.LargeStack.call(
                    "joblib4j-load", () -> decodeGraphOnThisThread(meta, graphStart, arrays, opts, file));
        } catch (PersistException e) {
            throw e;
        } catch (Exception | StackOverflowError e) {
            throw new PersistException(
                    "cannot decode the object stream: " + e, file, DumpFormat.HEADER_SIZE + graphStart, e);
        }
    }

    private static Object decodeGraphOnThisThread(
            byte[] meta, int graphStart, Object[] arrays, LoadOptions opts, @Nullable Path file)
            throws PersistException {
        ForyEngine.Instance fory = ForyEngine.reader(opts);
        fory.read = arrays;
        boolean reusable = true;
        try {
            org.apache.fory.memory.MemoryBuffer buffer =
                    org.apache.fory.memory.MemoryBuffer.fromByteArray(meta, graphStart, meta.length - graphStart);
            return fory.fory.deserialize(buffer);
        } catch (ForyEngine.Refused r) {
            reusable = false;
            throw new DisallowedClassException(r.className, file);
        } catch (InsecureException e) {
            reusable = false;
            throw new PersistException("refusing to load: " + e.getMessage(), file, -1, e);
        } catch (RuntimeException | StackOverflowError e) {
            reusable = false;
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) {
                if (cause instanceof ForyEngine.Refused r) {
                    throw new DisallowedClassException(r.className, file);
                }
                cause = cause.getCause();
            }
            if (cause instanceof ForyEngine.Refused r) {
                throw new DisallowedClassException(r.className, file);
            }
            String depth = String.valueOf(e.getMessage()).contains("depth exceed")
                    ? "the object stream nests more than " + ForyEngine.MAX_READ_DEPTH + " levels deep, more than "
                            + "dump writes (a corrupt or crafted file): "
                    : "";
            throw new PersistException(
                    depth + "cannot decode the object stream: " + e, file, DumpFormat.HEADER_SIZE + graphStart, e);
        } finally {
            if (reusable) {
                ForyEngine.releaseReader(opts, fory);
            }
        }
    }

    static Path tempSibling(Path file) {
        Path abs = file.toAbsolutePath();
        return abs.resolveSibling("." + abs.getFileName() + "." + Long.toHexString(System.nanoTime()) + "-"
                + Thread.currentThread().threadId() + ".tmp");
    }

    private static String describe(Object value) {
        return value == null ? "null" : "a " + value.getClass().getName();
    }
}
