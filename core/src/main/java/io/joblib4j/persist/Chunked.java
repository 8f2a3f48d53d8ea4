package io.joblib4j.persist;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Adler32;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.jspecify.annotations.Nullable;

/**
 * The chunked form of compressed dump files (zstd, lz4 and zlib), written by {@code dump} to a file since the
 * chunked container exists: the uncompressed dump (header, metadata, byte-shuffled arrays, as in {@link DumpFormat})
 * is cut into pieces of about a megabyte, each array into whole shuffle blocks, and every piece is compressed on its
 * own, so that all cores compress and decompress, and a piece decodes straight into its place in the loaded array.
 *
 * <p>The file stays one standard stream of its codec, so {@code zstd -d}, {@code lz4 -d} and any zlib inflater
 * still give back the uncompressed dump, and {@code load} from a stream reads it sequentially:
 * <ul>
 *   <li>zstd: one frame per piece (each with its content size), then a skippable frame holding the index;</li>
 *   <li>lz4: one frame per piece (independent blocks of up to 4 MiB), then a skippable frame holding the index;</li>
 *   <li>zlib: one zlib stream whose deflate data is the pieces' raw deflate output, each ended by a sync flush
 *   and none referring to an earlier one (as pigz does), then the stream's Adler-32, then the index.</li>
 * </ul>
 *
 * <pre>
 * index (all integers little-endian):
 *   magic "J4JC", version u8 (1), codec id u8, reserved u16, piece count u32,
 *   per piece: compressed length u32, uncompressed length u32,
 *   CRC-32 of the bytes above u32, index length u32 (from the magic to here, exclusive), magic "J4JI"
 * </pre>
 * A reader finds the index from the file's last 12 bytes. A file whose index is missing or does not check out is
 * read as one stream, as files from before the chunked container are.
 */
final class Chunked {
    /** Uncompressed bytes per piece, about: whole shuffle blocks for arrays, so that a piece stays in the cache. */
    static final int PIECE = 1 << 20;
    /** The largest piece a reader accepts (bounds its per-thread buffers). */
    static final int MAX_PIECE = 4 << 20;

    static final int INDEX_MAGIC = 0x434A344A; // "J4JC"
    static final int TAIL_MAGIC = 0x494A344A; // "J4JI"
    static final int INDEX_VERSION = 1;
    static final int TAIL = 12;
    /** zstd and lz4 skippable frame magic used for the index (0x184D2A50..5F are skippable in both formats). */
    private static final int SKIPPABLE = 0x184D2A5E;

    private static final int LZ4_MAGIC = 0x184D2204;
    /** FLG: version 01, independent blocks, no checksums, no content size; BD: 4 MiB blocks. */
    private static final byte LZ4_FLG = 0x60, LZ4_BD = 0x70;

    private static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());
    private static final ExecutorService POOL = pool();

    private Chunked() {}

    private static ExecutorService pool() {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor p =
                new ThreadPoolExecutor(THREADS, THREADS, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "joblib4j-codec-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        p.allowCoreThreadTimeOut(true);
        return p;
    }

    /** Runs {@code work} on the codec threads (to overlap it with work on the calling thread). */
    static <T> Future<T> submit(java.util.concurrent.Callable<T> work) {
        return POOL.submit(work);
    }

    /** The result of {@code f}, rethrowing its failure as the unchecked or I/O exception it was. */
    static <T> T await(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while verifying a checksum");
        } catch (java.util.concurrent.ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    /**
     * Throws {@code t} as the I/O, unchecked or error it is; any other (checked) throwable comes back wrapped in an
     * {@link IOException} for the caller to throw.
     */
    private static IOException rethrow(@Nullable Throwable t) throws IOException {
        if (t instanceof IOException io) {
            throw io;
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new IOException(t);
    }

    /** Waits until {@code f} has ended, whatever its outcome (keeping this thread's interrupt status). */
    static void quietlyAwait(Future<?> f) {
        boolean interrupted = false;
        while (true) {
            try {
                f.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether dumps to files with this compression use the chunked container. */
    static boolean supports(Compression c) {
        return switch (c.codec()) {
            case ZSTD, LZ4, ZLIB -> true;
            default -> false;
        };
    }

    /** One piece of the uncompressed dump: bytes of {@code source} from {@code from}, shuffled when item > 1. */
    record Piece(MemorySegment source, long from, int length, int item) {}

    /**
     * Cuts a dump into pieces: the head (header and metadata) and the zero padding in pieces of up to
     * {@link #PIECE} bytes, every array in whole shuffle blocks (of {@code item} bytes per element when
     * {@code shuffled}).
     */
    static List<Piece> pieces(
            byte[] head, List<MemorySegment> arrays, List<DumpFormat.Entry> entries, long total, boolean shuffled) {
        List<Piece> out = new ArrayList<>();
        MemorySegment zeros = MemorySegment.ofArray(new byte[PIECE]);
        MemorySegment h = MemorySegment.ofArray(head);
        for (long at = 0; at < head.length; at += PIECE) {
            out.add(new Piece(h, at, (int) Math.min(PIECE, head.length - at), 1));
        }
        long pos = head.length;
        for (int i = 0; i < arrays.size(); i++) {
            DumpFormat.Entry e = entries.get(i);
            for (; pos < e.offset(); pos += PIECE) {
                out.add(new Piece(zeros, 0, (int) Math.min(PIECE, e.offset() - pos), 1));
            }
            int item = shuffled ? e.dtype().itemSize() : 1;
            long step = item > 1
                    ? Math.max(1, PIECE / ((long) Shuffle.BLOCK_ELEMENTS * item)) * Shuffle.BLOCK_ELEMENTS * item
                    : PIECE;
            for (long done = 0; done < e.byteLength(); done += step) {
                out.add(new Piece(arrays.get(i), done, (int) Math.min(step, e.byteLength() - done), item));
            }
            pos = e.offset() + e.byteLength();
        }
        for (; pos < total; pos += PIECE) {
            out.add(new Piece(zeros, 0, (int) Math.min(PIECE, total - pos), 1));
        }
        return out;
    }

    // ================================================================== write

    /** Buffers of one piece in flight. */
    private static final class Slot {
        final ByteBuffer plain;
        final ByteBuffer packed;
        long adler;
        int packedLength;

        Slot(int capacity) {
            plain = ByteBuffer.allocateDirect(capacity);
            packed = ByteBuffer.allocateDirect(bound(capacity));
        }
    }

    private static int bound(int n) {
        return (int) Math.max(Zstd.compressBound(n), n + n / 8 + 64);
    }

    /** Compresses {@code pieces} on all cores and writes them, in order, to {@code ch} from position 0. */
    static void write(FileChannel ch, Compression c, List<Piece> pieces) throws IOException {
        io.joblib4j.internal.NativeLibraries.prepare();
        int n = pieces.size();
        int window = Math.min(n, 2 * THREADS + 2);
        int largest = 1;
        for (Piece p : pieces) {
            if (p.length() > MAX_PIECE) {
                throw new IllegalArgumentException("piece of " + p.length() + " bytes, more than " + MAX_PIECE);
            }
            largest = Math.max(largest, p.length());
        }
        Slot[] slots = new Slot[window];
        for (int i = 0; i < window; i++) {
            slots[i] = new Slot(largest);
        }
        Object lock = new Object();
        boolean[] done = new boolean[n];
        int[] written = {0};
        IOException[] failure = {null};
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            LZ4Compressor lz4 = c.codec() == Compression.Codec.LZ4
                    ? LZ4Factory.fastestInstance().fastCompressor()
                    : null;
            while (true) {
                int i = next.getAndIncrement();
                if (i >= n) {
                    return;
                }
                synchronized (lock) {
                    while (i >= written[0] + window && failure[0] == null) {
                        try {
                            lock.wait();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            failure[0] = new java.io.InterruptedIOException("interrupted while compressing");
                        }
                    }
                    if (failure[0] != null) {
                        lock.notifyAll();
                        return;
                    }
                }
                try {
                    compress(c, lz4, pieces.get(i), slots[i % window], i == n - 1);
                } catch (RuntimeException | IOException e) {
                    synchronized (lock) {
                        if (failure[0] == null) {
                            failure[0] = e instanceof IOException io ? io : new IOException("cannot compress: " + e, e);
                        }
                        lock.notifyAll();
                    }
                    return;
                }
                synchronized (lock) {
                    done[i] = true;
                    lock.notifyAll();
                }
            }
        };
        List<Future<?>> helpers = new ArrayList<>();
        for (int t = 0; t < Math.min(THREADS, n); t++) {
            helpers.add(POOL.submit(worker));
        }
        int[] packed = new int[n];
        long pos = 0;
        long adler = 1;
        try {
            if (c.codec() == Compression.Codec.ZLIB) {
                pos += writeFully(ch, ByteBuffer.wrap(zlibHeader(c.level())), pos);
            }
            for (int k = 0; k < n; k++) {
                synchronized (lock) {
                    while (!done[k] && failure[0] == null) {
                        lock.wait();
                    }
                    if (failure[0] != null) {
                        throw failure[0];
                    }
                }
                Slot s = slots[k % window];
                packed[k] = s.packedLength;
                pos += writeFully(ch, s.packed.clear().limit(s.packedLength), pos);
                adler = adler32Combine(adler, s.adler, pieces.get(k).length());
                synchronized (lock) {
                    written[0] = k + 1;
                    lock.notifyAll();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while writing a compressed dump");
        } finally {
            synchronized (lock) {
                if (failure[0] == null && written[0] < n) {
                    failure[0] = new IOException("the write failed");
                }
                lock.notifyAll();
            }
            for (Future<?> f : helpers) {
                try {
                    f.get();
                } catch (Exception ignored) {
                    // its failure, if any, is in failure[0]
                }
            }
        }
        ByteBuffer tail = ByteBuffer.allocate(4 + 12 + 8 * n + TAIL + 8).order(ByteOrder.LITTLE_ENDIAN);
        if (c.codec() == Compression.Codec.ZLIB) {
            tail.order(ByteOrder.BIG_ENDIAN).putInt((int) adler).order(ByteOrder.LITTLE_ENDIAN);
        } else {
            tail.putInt(SKIPPABLE).putInt(12 + 8 * n + TAIL);
        }
        int indexStart = tail.position();
        tail.putInt(INDEX_MAGIC)
                .put((byte) INDEX_VERSION)
                .put((byte) c.codec().id())
                .putShort((short) 0)
                .putInt(n);
        for (int k = 0; k < n; k++) {
            tail.putInt(packed[k]).putInt(pieces.get(k).length());
        }
        CRC32 crc = new CRC32();
        crc.update(tail.array(), indexStart, tail.position() - indexStart);
        int indexLength = tail.position() - indexStart;
        tail.putInt((int) crc.getValue()).putInt(indexLength).putInt(TAIL_MAGIC);
        writeFully(ch, tail.flip(), pos);
    }

    private static void compress(Compression c, @Nullable LZ4Compressor lz4, Piece p, Slot s, boolean last)
            throws IOException {
        ByteBuffer plain = s.plain.clear();
        MemorySegment dst = MemorySegment.ofBuffer(plain);
        if (p.item() > 1) {
            int block = Shuffle.BLOCK_ELEMENTS * p.item();
            for (int done = 0; done < p.length(); done += block) {
                int len = Math.min(block, p.length() - done);
                Shuffle.shuffle(p.source(), p.from() + done, dst, done, len / p.item(), p.item());
            }
        } else {
            MemorySegment.copy(p.source(), p.from(), dst, 0, p.length());
        }
        plain.limit(p.length());
        ByteBuffer out = s.packed.clear();
        switch (c.codec()) {
            case ZSTD -> {
                long r = Zstd.compressDirectByteBuffer(out, 0, out.capacity(), plain, 0, p.length(), c.level());
                if (Zstd.isError(r)) {
                    throw new IOException("zstd: " + Zstd.getErrorName(r));
                }
                s.packedLength = (int) r;
            }
            case LZ4 -> {
                out.order(ByteOrder.LITTLE_ENDIAN);
                out.putInt(0, LZ4_MAGIC).put(4, LZ4_FLG).put(5, LZ4_BD).put(6, lz4HeaderChecksum());
                LZ4Compressor lz4c = Objects.requireNonNull(lz4, "lz4 compressor"); // made for the LZ4 codec
                int room = lz4c.maxCompressedLength(p.length());
                int z = lz4c.compress(plain, 0, p.length(), out, 11, room);
                int end;
                if (z >= p.length()) { // incompressible: stored as is, flagged by the block size's high bit
                    out.putInt(7, p.length() | 0x80000000);
                    MemorySegment.copy(dst, 0, MemorySegment.ofBuffer(out), 11, p.length());
                    end = 11 + p.length();
                } else {
                    out.putInt(7, z);
                    end = 11 + z;
                }
                out.putInt(end, 0); // end mark
                s.packedLength = end + 4;
            }
            case ZLIB -> {
                Adler32 a = new Adler32();
                a.update(plain.duplicate());
                s.adler = a.getValue();
                Deflater d = new Deflater(c.level(), true);
                try {
                    d.setInput(plain);
                    if (last) {
                        d.finish();
                    }
                    while (true) {
                        d.deflate(out, last ? Deflater.NO_FLUSH : Deflater.SYNC_FLUSH);
                        if (last ? d.finished() : d.needsInput() && out.hasRemaining()) {
                            break;
                        }
                        if (!out.hasRemaining()) {
                            throw new IOException("deflate output of a " + p.length() + "-byte piece overflowed");
                        }
                    }
                    s.packedLength = out.position();
                } finally {
                    d.end();
                }
            }
            default -> throw new IllegalArgumentException("no chunked form for " + c);
        }
    }

    private static byte lz4HeaderChecksum() {
        return (byte)
                (net.jpountz.xxhash.XXHashFactory.fastestInstance().hash32().hash(new byte[] {LZ4_FLG, LZ4_BD}, 0, 2, 0)
                        >>> 8);
    }

    private static byte[] zlibHeader(int level) {
        int flevel = level < 2 ? 0 : level < 6 ? 1 : level == 6 ? 2 : 3;
        int cmf = 0x78;
        int flg = flevel << 6;
        flg += 31 - ((cmf << 8) + flg) % 31;
        return new byte[] {(byte) cmf, (byte) flg};
    }

    /** zlib's adler32_combine: the Adler-32 of A followed by B from those of A and B and B's length. */
    static long adler32Combine(long adler1, long adler2, long len2) {
        final long base = 65521;
        long rem = len2 % base;
        long sum1 = adler1 & 0xFFFF;
        long sum2 = (rem * sum1) % base;
        sum1 += (adler2 & 0xFFFF) + base - 1;
        sum2 += ((adler1 >>> 16) & 0xFFFF) + ((adler2 >>> 16) & 0xFFFF) + base - rem;
        if (sum1 >= base) {
            sum1 -= base;
        }
        if (sum1 >= base) {
            sum1 -= base;
        }
        if (sum2 >= (base << 1)) {
            sum2 -= (base << 1);
        }
        if (sum2 >= base) {
            sum2 -= base;
        }
        return sum1 | (sum2 << 16);
    }

    private static int writeFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        int n = b.remaining();
        while (b.hasRemaining()) {
            pos += ch.write(b, pos);
        }
        return n;
    }

    // ================================================================== read

    /** A parsed, checked index: where each piece is in the file and in the uncompressed dump. */
    @SuppressWarnings("ArrayRecordComponent") // a parsed index read by position: never compared or hashed
    record Index(
            Compression.Codec codec,
            long[] packedAt,
            int[] packedLength,
            long[] plainAt,
            int[] plainLength,
            long total) {
        int size() {
            return packedAt.length;
        }

        int largest() {
            int m = 1;
            for (int len : plainLength) {
                m = Math.max(m, len);
            }
            return m;
        }
    }

    /**
     * The index of a chunked file of {@code codec}, or null when the file has none or one that does not check out
     * (then the file is read as one stream: a file from before the chunked container, or a damaged index).
     */
    static @Nullable Index index(FileChannel ch, long size, Compression.Codec codec) throws IOException {
        if (!(codec == Compression.Codec.ZSTD || codec == Compression.Codec.LZ4 || codec == Compression.Codec.ZLIB)
                || size < TAIL + 16) {
            return null;
        }
        ByteBuffer tail = ByteBuffer.allocate(TAIL).order(ByteOrder.LITTLE_ENDIAN);
        if (readFully(ch, tail, size - TAIL) < TAIL || tail.getInt(8) != TAIL_MAGIC) {
            return null;
        }
        long indexLength = Integer.toUnsignedLong(tail.getInt(4));
        if (indexLength < 12 || indexLength > size - TAIL || (indexLength - 12) % 8 != 0) {
            return null;
        }
        long indexAt = size - TAIL - indexLength;
        ByteBuffer idx = ByteBuffer.allocate((int) indexLength).order(ByteOrder.LITTLE_ENDIAN);
        if (readFully(ch, idx, indexAt) < indexLength) {
            return null;
        }
        CRC32 crc = new CRC32();
        crc.update(idx.array(), 0, (int) indexLength);
        if ((int) crc.getValue() != tail.getInt(0)
                || idx.getInt(0) != INDEX_MAGIC
                || idx.get(4) != INDEX_VERSION
                || idx.get(5) != codec.id()) {
            return null;
        }
        int n = idx.getInt(8);
        if (n <= 0 || 12L + 8L * n != indexLength) {
            return null;
        }
        long dataStart = codec == Compression.Codec.ZLIB ? 2 : 0;
        long dataEnd = codec == Compression.Codec.ZLIB ? indexAt - 4 : indexAt - 8;
        long[] packedAt = new long[n];
        int[] packedLength = new int[n];
        long[] plainAt = new long[n];
        int[] plainLength = new int[n];
        long p = dataStart, u = 0;
        for (int k = 0; k < n; k++) {
            int z = idx.getInt(12 + 8 * k);
            int len = idx.getInt(16 + 8 * k);
            if (z <= 0 || len <= 0 || len > MAX_PIECE || z > dataEnd - p) {
                return null;
            }
            packedAt[k] = p;
            packedLength[k] = z;
            plainAt[k] = u;
            plainLength[k] = len;
            p += z;
            u += len;
        }
        if (p != dataEnd) {
            return null;
        }
        return new Index(codec, packedAt, packedLength, plainAt, plainLength, u);
    }

    /** Per-thread state of a reader: a buffer for one decoded piece and the codec's decoder. */
    static final class Decoder {
        final ByteBuffer plain;
        final MemorySegment plainSegment;

        /** A decoder for the pieces of {@code ix} (its buffers hold the largest). */
        Decoder(Index ix) {
            plain = ByteBuffer.allocateDirect(ix.largest());
            plainSegment = MemorySegment.ofBuffer(plain);
        }

        private @Nullable LZ4SafeDecompressor lz4;
        private @Nullable MemorySegment spare;

        /** A second buffer of {@link #MAX_PIECE} bytes, for a piece that must be unshuffled before it is placed. */
        MemorySegment spare() {
            if (spare == null) {
                spare = MemorySegment.ofBuffer(ByteBuffer.allocateDirect(plain.capacity()));
            }
            return spare;
        }

        /**
         * Decodes piece {@code k} of {@code file} (mapped as {@code src}) into {@link #plain}, which then holds
         * exactly its uncompressed length.
         *
         * @throws IOException when the piece is corrupt or does not decode to its length
         */
        void decode(Index ix, int k, MemorySegment file) throws IOException {
            int z = ix.packedLength()[k];
            ByteBuffer src = file.asSlice(ix.packedAt()[k], z).asByteBuffer();
            int at = 0;
            int want = ix.plainLength()[k];
            ByteBuffer out = plain.clear();
            int got;
            switch (ix.codec()) {
                case ZSTD -> {
                    long r = Zstd.decompressDirectByteBuffer(out, 0, want, src, at, z);
                    if (Zstd.isError(r)) {
                        throw new IOException("corrupt zstd frame: " + Zstd.getErrorName(r));
                    }
                    got = (int) r;
                }
                case LZ4 -> got = decodeLz4(src.duplicate().order(ByteOrder.LITTLE_ENDIAN), at, z, want);
                case ZLIB -> {
                    Inflater inf = new Inflater(true);
                    try {
                        inf.setInput(src.duplicate().limit(at + z).position(at));
                        out.limit(want);
                        while (out.hasRemaining()) {
                            if (inf.inflate(out) == 0
                                    && (inf.finished() || inf.needsInput() || inf.needsDictionary())) {
                                break;
                            }
                        }
                        got = out.position();
                    } catch (DataFormatException e) {
                        throw new IOException("corrupt deflate data: " + e.getMessage(), e);
                    } finally {
                        inf.end();
                    }
                }
                default -> throw new IllegalArgumentException("no chunked form for " + ix.codec());
            }
            if (got != want) {
                throw new IOException("piece " + k + " decodes to " + got + " bytes, the index says " + want);
            }
        }

        private int decodeLz4(ByteBuffer src, int at, int z, int want) throws IOException {
            if (lz4 == null) {
                lz4 = LZ4Factory.fastestInstance().safeDecompressor();
            }
            int end = at + z;
            if (z < 11 || src.getInt(at) != LZ4_MAGIC || src.get(at + 4) != LZ4_FLG || src.get(at + 5) != LZ4_BD) {
                throw new IOException("not an lz4 frame of a chunked dump");
            }
            int pos = at + 7;
            int got = 0;
            while (true) {
                if (pos + 4 > end) {
                    throw new IOException("lz4 frame ends inside a block header");
                }
                int size = src.getInt(pos);
                pos += 4;
                if (size == 0) {
                    return got;
                }
                int len = size & 0x7FFFFFFF;
                if (len > end - pos || len > MAX_PIECE) {
                    throw new IOException("lz4 block of " + len + " bytes runs past its frame");
                }
                if (size < 0) {
                    if (len > want - got) {
                        throw new IOException("lz4 stored block overflows the piece");
                    }
                    MemorySegment.copy(MemorySegment.ofBuffer(src), pos, plainSegment, got, len);
                    got += len;
                } else {
                    try {
                        got += lz4.decompress(src, pos, len, plain, got, want - got);
                    } catch (net.jpountz.lz4.LZ4Exception e) {
                        throw new IOException("corrupt lz4 block: " + e.getMessage(), e);
                    }
                }
                pos += len;
            }
        }
    }

    /** A task of a parallel read: decodes piece {@code k} with this thread's decoder. */
    interface PieceTask {
        void run(int k, @Nullable Decoder d) throws IOException;
    }

    /**
     * Runs {@code task} for pieces {@code 0..n-1} on all cores (the calling thread takes part), each thread with
     * its own {@link Decoder} for the pieces of {@code ix} (none when ix is null). The first failure stops the others from taking more pieces and is thrown.
     */
    static void forEach(@Nullable Index ix, int n, PieceTask task) throws IOException {
        AtomicInteger next = new AtomicInteger();
        Throwable[] failure = {null};
        Runnable loop = () -> {
            Decoder d = ix == null ? null : new Decoder(ix);
            try {
                for (int k; (k = next.getAndIncrement()) < n; ) {
                    synchronized (failure) {
                        if (failure[0] != null) {
                            return;
                        }
                    }
                    task.run(k, d);
                }
            } catch (Throwable t) {
                synchronized (failure) {
                    if (failure[0] == null) {
                        failure[0] = t;
                    }
                }
            }
        };
        List<Future<?>> helpers = new ArrayList<>();
        for (int t = 1; t < Math.min(THREADS, (n + 1) / 2 + 1); t++) {
            helpers.add(POOL.submit(loop));
        }
        loop.run();
        for (Future<?> f : helpers) {
            try {
                f.get();
            } catch (InterruptedException e) {
                next.set(n);
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while decompressing");
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IOException(e.getCause());
            }
        }
        Throwable t = failure[0];
        if (t != null) {
            throw rethrow(t);
        }
    }

    private static int readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
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

    static String describe(Index ix, int k) {
        return "piece " + k + " of " + ix.size() + " (compressed bytes " + ix.packedAt()[k] + ".."
                + (ix.packedAt()[k] + ix.packedLength()[k]) + ")";
    }
}
