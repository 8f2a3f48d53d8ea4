package io.joblib4j.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.joblib4j.Joblib;
import io.joblib4j.array.MmapMode;
import io.joblib4j.array.NdArray;
import io.joblib4j.array.Npy;
import io.joblib4j.array.PersistException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.Adler32;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded fuzz campaign over every kind of file {@code load} reads: dumps of every codec, {@code .npy} (load, map,
 * header) and {@code .npz}. The mutator is structured: besides random bytes, truncation and insertion, it sets
 * declared sizes, shapes, lengths and counts to boundary values (keeping the rest of the file consistent with
 * them), and repairs what would stop a mutation early (the dump's CRC-32s, before compressing the mutated dump;
 * gzip and zlib trailers after mutating compressed bytes; zip entry CRCs, by rebuilding the archive around a
 * mutated entry), so mutations reach the array table, the object stream and the allocation of arrays.
 *
 * <p>Every input must end in success or a {@link PersistException} naming the file; none in another exception,
 * an {@code Error}, more than {@link #MAX_MILLIS} ms, or more than {@link #MAX_ALLOCATED} bytes allocated
 * (measured per thread). {@value #DEFAULT_ITERATIONS} inputs per dump codec (four times as many .npy and .npz)
 * run in every build; a longer campaign:
 * {@code ./mvnw -pl core test -Dtest=CorruptFileFuzzTest -Djoblib4j.fuzz.iterations=200000} (optionally
 * {@code -Djoblib4j.fuzz.seed=N}, {@code -Djoblib4j.fuzz.maxMillis=2000} on a quiet machine). Inputs that break
 * the rule are saved under {@code core/target/fuzz-crashers}; keep the interesting ones in
 * {@code src/test/resources/fuzz-regressions}.
 */
class CorruptFileFuzzTest {
    static final long SEED = Long.getLong("joblib4j.fuzz.seed", 20241121L);
    /** Inputs per dump codec in every build (.npy and .npz, cheaper to load, get four times as many). */
    static final int DEFAULT_ITERATIONS = 1000;

    static final int ITERATIONS = Integer.getInteger("joblib4j.fuzz.iterations", DEFAULT_ITERATIONS);
    /** Only the kinds whose name contains this ({@code -Djoblib4j.fuzz.kinds=npz}); all by default. */
    static final String KINDS = System.getProperty("joblib4j.fuzz.kinds", "");
    /** Per input; generous by default because builds share loaded machines (the campaign's report prints the max). */
    static final long MAX_MILLIS = Long.getLong("joblib4j.fuzz.maxMillis", 10_000);

    static final long MAX_ALLOCATED = 300L << 20;

    @TempDir
    Path dir;

    static Object graph() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "fuzz");
        m.put("values", new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        m.put("table", NdArray.wrap(new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, 3));
        m.put("ints", new int[40]);
        m.put("list", new ArrayList<>(List.of(1, "two", 3.0, List.of(4), Map.of("k", new byte[3]))));
        return m;
    }

    static byte[] plainDump() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Joblib.dump(graph(), out, Compression.none());
        return out.toByteArray();
    }

    static byte[] compress(Compression c, byte[] plain) throws IOException {
        if (c.isNone()) {
            return plain;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream o = c.compress(out)) {
            o.write(plain);
        }
        return out.toByteArray();
    }

    static Compression fast(Compression.Codec codec) {
        return switch (codec) {
            case NONE, LZ4 -> Compression.of(codec);
            case LZMA, XZ -> Compression.of(codec, 0);
            default -> Compression.of(codec, 1);
        };
    }

    // ------------------------------------------------------------------ the mutator

    /** Values that break size arithmetic: zero, one, negative, around 2^31 and 2^32, enormous. */
    static long interesting(Random r, long current) {
        long[] v = {
            0,
            1,
            -1,
            2,
            7,
            8,
            63,
            64,
            65,
            255,
            256,
            65535,
            65536,
            Integer.MAX_VALUE - 16,
            Integer.MAX_VALUE,
            1L << 31,
            1L << 32,
            (1L << 32) + 1,
            3_000_000_000L,
            2_147_483_000L,
            1L << 40,
            Long.MAX_VALUE,
            Long.MAX_VALUE - 7,
            Long.MIN_VALUE,
            600_000_000L
        };
        return switch (r.nextInt(4)) {
            case 0 -> current + r.nextInt(17) - 8;
            case 1 -> current * (2 + r.nextInt(1000));
            default -> v[r.nextInt(v.length)];
        };
    }

    static void fixDumpCrcs(byte[] b) {
        if (b.length < DumpFormat.HEADER_SIZE) {
            return;
        }
        ByteBuffer hb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long metaLength = hb.getLong(16);
        if (metaLength >= 0 && metaLength <= b.length - DumpFormat.HEADER_SIZE) {
            hb.putInt(56, DumpFormat.crc(b, DumpFormat.HEADER_SIZE, (int) metaLength));
        }
        hb.putInt(60, DumpFormat.crc(b, 0, 60));
    }

    /** A structured mutation of an uncompressed dump, CRCs repaired. */
    static byte[] mutateDump(byte[] base, Random r) {
        byte[] b = base.clone();
        ByteBuffer hb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int metaLength = (int) hb.getLong(16);
        int graphLength = (int) hb.getLong(24);
        int arrays = hb.getInt(12);
        int graphStart = DumpFormat.HEADER_SIZE + metaLength - graphLength;
        int n = 1 + r.nextInt(3);
        for (int k = 0; k < n; k++) {
            switch (r.nextInt(8)) {
                case 0 -> { // a header length or count
                    int[] at = {12, 16, 24, 32, 40};
                    int f = at[r.nextInt(at.length)];
                    if (f == 12) {
                        hb.putInt(f, (int) interesting(r, hb.getInt(f)));
                    } else {
                        hb.putLong(f, interesting(r, hb.getLong(f)));
                    }
                }
                case 1, 2 -> { // an array's shape and length, consistent with each other and with the total length
                    int e = entryStart(b, r.nextInt(Math.max(1, arrays)));
                    if (e < 0) {
                        break;
                    }
                    int ndim = b[e + 3] & 0xFF;
                    if (e + 24 + 8 * ndim > b.length) {
                        break;
                    }
                    int item = switch (b[e + 1] & 0xFF) {
                        case 0, 3, 7 -> 8;
                        default -> 1 + r.nextInt(8);
                    };
                    long bytes = item;
                    for (int d = 0; d < ndim; d++) {
                        long dim = d == 0 ? interesting(r, hb.getLong(e + 24)) : hb.getLong(e + 24 + 8 * d);
                        hb.putLong(e + 24 + 8 * d, dim);
                        bytes *= dim;
                    }
                    if (r.nextInt(4) != 0) {
                        hb.putLong(e + 16, bytes);
                    } else {
                        hb.putLong(e + 16, interesting(r, hb.getLong(e + 16)));
                    }
                    if (r.nextBoolean()) {
                        hb.putLong(40, hb.getLong(e + 8) + hb.getLong(e + 16));
                    }
                }
                case 3 -> { // kind, dtype, order, ndim, offset of a table entry
                    int e = entryStart(b, r.nextInt(Math.max(1, arrays)));
                    if (e < 0) {
                        break;
                    }
                    int f = r.nextInt(5);
                    if (f < 4) {
                        b[e + f] = (byte) (r.nextBoolean() ? r.nextInt(256) : r.nextInt(40));
                    } else {
                        hb.putLong(e + 8, interesting(r, hb.getLong(e + 8)));
                    }
                }
                case 4 -> { // a byte of the census or root name lengths (u16, u32 fields after the table)
                    int from = entryStart(b, arrays);
                    if (from > 0 && from < graphStart) {
                        int at = from + r.nextInt(graphStart - from);
                        b[at] = (byte) (r.nextBoolean() ? 0xFF : r.nextInt(256));
                    }
                }
                case 5, 6 -> { // the object stream: varint lengths and counts set large, bytes flipped
                    if (graphLength > 0) {
                        int at = graphStart + r.nextInt(graphLength);
                        int len = Math.min(1 + r.nextInt(5), b.length - at);
                        for (int i = 0; i < len; i++) {
                            b[at + i] = switch (r.nextInt(3)) {
                                case 0 -> (byte) 0xFF;
                                case 1 -> (byte) (b[at + i] ^ (1 << r.nextInt(8)));
                                default -> (byte) r.nextInt(256);
                            };
                        }
                    }
                }
                default -> { // anywhere
                    int at = r.nextInt(b.length);
                    b[at] = (byte) r.nextInt(256);
                }
            }
        }
        fixDumpCrcs(b);
        return r.nextInt(10) == 0 ? Arrays.copyOf(b, r.nextInt(b.length)) : b;
    }

    /** The offset of table entry {@code i} of a dump, or -1. */
    static int entryStart(byte[] b, int i) {
        int at = DumpFormat.HEADER_SIZE;
        for (int k = 0; k < i; k++) {
            if (at + 4 > b.length) {
                return -1;
            }
            at += 24 + 8 * Math.min(DumpFormat.MAX_NDIM, b[at + 3] & 0xFF);
        }
        return at + 24 <= b.length ? at : -1;
    }

    /** Unstructured mutations: truncation, flips, overwritten blocks, inserted garbage, a huge value anywhere. */
    static byte[] mutateBytes(byte[] base, Random r) {
        byte[] b = base.clone();
        switch (r.nextInt(6)) {
            case 0 -> {
                return Arrays.copyOf(b, r.nextInt(b.length));
            }
            case 1 -> {
                int n = 1 + r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 2 -> b[r.nextInt(Math.min(b.length, 128))] = (byte) r.nextInt(256);
            case 3 -> {
                int i = r.nextInt(Math.max(1, b.length - 8));
                long v = interesting(r, 0);
                for (int k = 0; k < 8 && i + k < b.length; k++) {
                    b[i + k] = (byte) (v >>> (8 * k));
                }
            }
            case 4 -> {
                byte[] g = new byte[1 + r.nextInt(100)];
                r.nextBytes(g);
                int at = r.nextInt(b.length + 1);
                byte[] out = new byte[b.length + g.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(g, 0, out, at, g.length);
                System.arraycopy(b, at, out, at + g.length, b.length - at);
                return out;
            }
            default -> {
                int at = r.nextInt(b.length);
                int len = Math.min(b.length - at, 1 + r.nextInt(32));
                for (int k = 0; k < len; k++) {
                    b[at + k] = (byte) r.nextInt(256);
                }
            }
        }
        return b;
    }

    /**
     * Repairs the trailer of a mutated gzip or zlib stream when its deflate data still decodes, so the mutation is
     * seen by the dump reader instead of the trailer check.
     */
    static byte[] fixTrailer(Compression.Codec codec, byte[] b) {
        if (codec != Compression.Codec.GZIP && codec != Compression.Codec.ZLIB) {
            return b;
        }
        int start = codec == Compression.Codec.GZIP ? 10 : 0;
        if (b.length <= start + 4) {
            return b;
        }
        Inflater inf = new Inflater(codec == Compression.Codec.GZIP);
        try {
            inf.setInput(b, start, b.length - start);
            ByteArrayOutputStream plain = new ByteArrayOutputStream();
            byte[] buf = new byte[1 << 16];
            while (!inf.finished() && plain.size() < (64 << 20)) {
                int n = inf.inflate(buf);
                if (n == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    return b;
                }
                plain.write(buf, 0, n);
            }
            if (!inf.finished()) {
                return b;
            }
            int end = b.length - inf.getRemaining();
            byte[] data = plain.toByteArray();
            if (codec == Compression.Codec.GZIP && end + 8 <= b.length) {
                CRC32 crc = new CRC32();
                crc.update(data);
                ByteBuffer.wrap(b, end, 8)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putInt((int) crc.getValue())
                        .putInt(data.length);
            } else if (codec == Compression.Codec.ZLIB && end + 4 <= b.length) {
                Adler32 a = new Adler32();
                a.update(data);
                ByteBuffer.wrap(b, end, 4).order(ByteOrder.BIG_ENDIAN).putInt((int) a.getValue());
            }
            return b;
        } catch (DataFormatException e) {
            return b;
        } finally {
            inf.end();
        }
    }

    static byte[] mutateCompressedDump(Compression c, byte[] plain, byte[] compressed, Random r) throws IOException {
        int pick = r.nextInt(10);
        if (pick < 5) {
            return compress(c, mutateDump(plain, r)); // a valid stream of a mutated dump
        }
        if (pick < 6) {
            byte[] m = mutateBytes(plain, r);
            fixDumpCrcs(m);
            return compress(c, m);
        }
        if (c.isNone()) {
            return mutateBytes(plain, r);
        }
        return fixTrailer(c.codec(), mutateBytes(compressed, r));
    }

    /**
     * A mutation of a file in the chunked container ({@link Chunked}): random bytes anywhere; a mutated dump cut
     * into random pieces (so the pieces' fit to the arrays is tested); or mutated bytes or index entries with the
     * index CRC repaired, so that the mutation reaches the pieces' decoders.
     */
    static byte[] mutateChunked(Compression c, byte[] plain, byte[] chunked, Random r) throws IOException {
        int pick = r.nextInt(8);
        if (pick < 2) {
            return mutateBytes(chunked, r);
        }
        if (pick < 5) {
            byte[] m = pick == 2 ? plain.clone() : mutateDump(plain, r);
            if (pick == 4) {
                m = mutateBytes(m, r);
                fixDumpCrcs(m);
            }
            return chunkedOf(c, m, r);
        }
        byte[] b = chunked.clone();
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int indexLength = bb.getInt(b.length - 8);
        int indexAt = b.length - Chunked.TAIL - indexLength;
        int n = bb.getInt(indexAt + 8);
        if (pick < 7) {
            int k = r.nextInt(n);
            int at = indexAt + 12 + 8 * k + (r.nextBoolean() ? 0 : 4);
            bb.putInt(at, (int) interesting(r, bb.getInt(at)));
        } else {
            int at = r.nextInt(Math.max(1, indexAt));
            b[at] = (byte) r.nextInt(256);
        }
        CRC32 crc = new CRC32();
        crc.update(b, indexAt, indexLength);
        bb.putInt(b.length - Chunked.TAIL, (int) crc.getValue());
        return b;
    }

    /** {@code plain} written in the chunked container, cut into pieces of random sizes. */
    static byte[] chunkedOf(Compression c, byte[] plain, Random r) throws IOException {
        java.lang.foreign.MemorySegment src = java.lang.foreign.MemorySegment.ofArray(plain);
        List<Chunked.Piece> pieces = new ArrayList<>();
        for (int at = 0; at < plain.length; ) {
            int len = Math.min(plain.length - at, 1 + r.nextInt(r.nextBoolean() ? 64 : plain.length));
            pieces.add(new Chunked.Piece(src, at, len, 1));
            at += len;
        }
        Path tmp = Files.createTempFile("chunked", ".tmp");
        try {
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                Chunked.write(ch, c, pieces);
            }
            return Files.readAllBytes(tmp);
        } finally {
            Files.delete(tmp);
        }
    }

    // ------------------------------------------------------------------ .npy and .npz

    static final String[] DESCRS = {
        "<f8", ">f8", "<i4", ">i2", "|u1", "|i1", "|b1", "<f4", "<f2", "<c16", "<U10", "|O", "<i8", ">u8", "|V8", "",
        "<f16", "<M8[s]"
    };

    static byte[] npy(String descr, String fortran, String shape, byte[] data, int major) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
        byte[] text = dict.getBytes(StandardCharsets.ISO_8859_1);
        int prefix = major == 1 ? 10 : 12;
        int total = (prefix + text.length + 1 + 63) / 64 * 64;
        ByteBuffer b = ByteBuffer.allocate(total + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            b.putShort((short) (total - prefix));
        } else {
            b.putInt(total - prefix);
        }
        b.put(text);
        while (b.position() < total - 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        b.put(data);
        return b.array();
    }

    static String shapeText(Random r) {
        int nd = r.nextInt(10) == 0 ? 33 + r.nextInt(40) : r.nextInt(4);
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < nd; i++) {
            long d = r.nextInt(3) == 0 ? interesting(r, 3) : r.nextInt(8);
            sb.append(i > 0 ? ", " : "").append(r.nextInt(30) == 0 ? d + "L" : String.valueOf(d));
        }
        return sb.append(nd == 1 ? ",)" : ")").toString();
    }

    static byte[] mutateNpy(byte[] base, Random r) {
        if (r.nextInt(3) == 0) {
            return mutateBytes(base, r);
        }
        String descr = r.nextInt(3) == 0 ? DESCRS[r.nextInt(DESCRS.length)] : "<f8";
        String fortran = r.nextInt(4) == 0 ? "True" : r.nextInt(20) == 0 ? "Maybe" : "False";
        String shape = r.nextInt(5) == 0 ? "(2, 3)" : shapeText(r);
        if (r.nextInt(20) == 0) {
            shape = "[" + r.nextInt(10) + "]";
        }
        byte[] data = new byte[r.nextInt(4) == 0 ? r.nextInt(200) : 48];
        r.nextBytes(data);
        byte[] b = npy(descr, fortran, shape, data, r.nextInt(8) == 0 ? 2 + r.nextInt(2) : 1);
        if (r.nextInt(6) == 0) { // the header length field
            b[8 + r.nextInt(2)] = (byte) r.nextInt(256);
        }
        return b;
    }

    static byte[] zip(List<String> names, List<byte[]> contents, List<Boolean> deflated) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (int i = 0; i < names.size(); i++) {
                ZipEntry e = new ZipEntry(names.get(i));
                byte[] c = contents.get(i);
                if (!deflated.get(i)) {
                    CRC32 crc = new CRC32();
                    crc.update(c);
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(c.length);
                    e.setCompressedSize(c.length);
                    e.setCrc(crc.getValue());
                }
                z.putNextEntry(e);
                z.write(c);
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    static final String[] NAMES = {
        "a.npy",
        "b.npy",
        "../up.npy",
        "a/../../x.npy",
        "/abs.npy",
        "n\u0000ul.npy",
        "",
        "x",
        "a.npy",
        "c:\\w.npy",
        "dir/ok.npy",
        "tab\t.npy",
        "\u00e9t\u00e9.npy"
    };

    static byte[] mutateNpz(byte[] npyBase, byte[] npzBase, Random r) throws IOException {
        int pick = r.nextInt(10);
        if (pick < 6) { // an archive rebuilt around mutated entries and names: entry CRCs are valid
            int n = 1 + r.nextInt(3);
            List<String> names = new ArrayList<>();
            List<byte[]> contents = new ArrayList<>();
            List<Boolean> deflated = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = r.nextInt(4) == 0 ? NAMES[r.nextInt(NAMES.length)] : "e" + i + ".npy";
                if (names.contains(name) && r.nextBoolean()) {
                    name = name + i;
                }
                if (names.contains(name)) {
                    continue; // ZipOutputStream refuses duplicates; the raw mutations below make them
                }
                names.add(name);
                contents.add(r.nextInt(3) == 0 ? npyBase : mutateNpy(npyBase, r));
                deflated.add(r.nextBoolean());
            }
            return zip(names, contents, deflated);
        }
        byte[] b = npzBase.clone();
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        if (pick < 8) { // a declared size, offset or name length in a local or central header
            List<int[]> fields = new ArrayList<>(); // offset, width
            for (int i = 0; i + 22 <= b.length; i++) {
                int sig = bb.getInt(i);
                if (sig == 0x04034b50 && i + 30 <= b.length) {
                    fields.addAll(List.of(
                            new int[] {i + 14, 4}, new int[] {i + 18, 4}, new int[] {i + 22, 4}, new int[] {i + 26, 2
                            }));
                } else if (sig == 0x02014b50 && i + 46 <= b.length) {
                    fields.addAll(List.of(
                            new int[] {i + 20, 4}, new int[] {i + 24, 4}, new int[] {i + 28, 2}, new int[] {i + 42, 4
                            }));
                } else if (sig == 0x06054b50) {
                    fields.addAll(List.of(
                            new int[] {i + 8, 2}, new int[] {i + 10, 2}, new int[] {i + 12, 4}, new int[] {i + 16, 4}));
                }
            }
            int[] f = fields.get(r.nextInt(fields.size()));
            if (f[1] == 2) {
                bb.putShort(f[0], (short) interesting(r, Short.toUnsignedInt(bb.getShort(f[0]))));
            } else {
                bb.putInt(f[0], (int) interesting(r, Integer.toUnsignedLong(bb.getInt(f[0]))));
            }
            return b;
        }
        return mutateBytes(b, r);
    }

    // ------------------------------------------------------------------ the campaign

    /** Per-kind figures, printed at the end of each kind. */
    static final class Stats {
        int inputs;
        int loaded;
        int refused;
        long maxNanos;
        long maxAllocated;
        long startNanos = System.nanoTime();
        long cpuNanos;

        @Override
        public String toString() {
            return inputs + " inputs, " + (loaded + refused) + " load calls: " + loaded + " loaded, " + refused
                    + " refused with PersistException; max "
                    + maxNanos / 1_000_000 + " ms, max " + (maxAllocated >> 20) + " MiB allocated per input; "
                    + (System.nanoTime() - startNanos) / 1_000_000 + " ms in all ("
                    + cpuNanos / 1_000_000 + " ms of CPU)";
        }
    }

    static final Object SKIPPED = new Object();

    interface Load {
        Object run(Path f, byte[] bytes) throws Exception;
    }

    interface Mutator {
        byte[] next(Random r) throws IOException;
    }

    @TestFactory
    Stream<DynamicTest> fuzz_everyKindOfFile_endsInSuccessOrPersistException() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        byte[] plain = plainDump();
        for (Compression.Codec codec : Compression.Codec.values()) {
            if (codec == Compression.Codec.CUSTOM) {
                continue; // no built-in stream: registered codecs are the application's own
            }
            Compression c = fast(codec);
            byte[] compressed = compress(c, plain);
            List<Load> loads = new ArrayList<>();
            loads.add((f, b) -> Joblib.load(f));
            if (codec == Compression.Codec.NONE) {
                loads.add((f, b) -> Joblib.load(f, MmapMode.READ_ONLY));
                loads.add((f, b) -> Joblib.load(new ByteArrayInputStream(b)));
            } else {
                // a compressed file and a compressed stream take the same path but for the size check: one in four
                loads.add((f, b) -> (b.length & 3) == 0 ? Joblib.load(new ByteArrayInputStream(b)) : SKIPPED);
            }
            tests.add(DynamicTest.dynamicTest(
                    "dump " + codec.label(),
                    () -> campaign(
                            "dump-" + codec.label(), r -> mutateCompressedDump(c, plain, compressed, r), loads)));
        }
        for (Compression.Codec codec : List.of(Compression.Codec.ZSTD, Compression.Codec.LZ4, Compression.Codec.ZLIB)) {
            Compression c = fast(codec);
            Path base = dir.resolve("chunked-base" + c.extension());
            Joblib.dump(graph(), base, c);
            byte[] chunked = Files.readAllBytes(base);
            tests.add(DynamicTest.dynamicTest(
                    "chunked dump " + codec.label(),
                    () -> campaign(
                            "dump-chunked-" + codec.label(),
                            r -> mutateChunked(c, plain, chunked, r),
                            List.of((f, b) -> Joblib.load(f)))));
        }
        ByteArrayOutputStream npyOut = new ByteArrayOutputStream();
        Npy.save(npyOut, NdArray.wrap(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
        byte[] npyBase = npyOut.toByteArray();
        tests.add(DynamicTest.dynamicTest(
                "npy",
                () -> campaign(
                        "npy",
                        r -> mutateNpy(npyBase, r),
                        List.of(
                                (f, b) -> Npy.load(f),
                                (f, b) -> Npy.map(f, MmapMode.READ_ONLY),
                                (f, b) -> Npy.readHeader(f),
                                (f, b) -> Npy.load(new ByteArrayInputStream(b))))));
        byte[] npzBase = zip(List.of("a.npy", "b.npy"), List.of(npyBase, npyBase), List.of(false, true));
        tests.add(DynamicTest.dynamicTest(
                "npz", () -> campaign("npz", r -> mutateNpz(npyBase, npzBase, r), List.of((f, b) -> Npy.loadNpz(f)))));
        return tests.stream();
    }

    private void campaign(String kind, Mutator mutator, List<Load> loads) {
        org.junit.jupiter.api.Assumptions.assumeTrue(kind.contains(KINDS), "not among " + KINDS);
        int iterations = kind.startsWith("np") ? 4 * ITERATIONS : ITERATIONS;
        Random r = new Random(SEED ^ kind.hashCode());
        Path f = dir.resolve("mutant-" + kind);
        Stats stats = new Stats();
        Assertions.assertTimeoutPreemptively(Duration.ofSeconds(Math.max(300, iterations / 5)), () -> {
            long cpu0 = Allocations.cpuNanosOfCurrentThread();
            for (int i = 0; i < iterations; i++) {
                byte[] mutant = mutator.next(r);
                Files.write(f, mutant);
                for (Load load : loads) {
                    check(kind + " input " + i + " (seed " + SEED + ")", f, mutant, load, stats);
                }
                stats.inputs++;
            }
            stats.cpuNanos = Allocations.cpuNanosOfCurrentThread() - cpu0;
        });
        System.out.println("[fuzz] " + kind + ": " + stats);
        assertThat(stats.refused).as(kind + ": most mutants are refused").isGreaterThan(stats.inputs / 10);
    }

    private static void check(String what, Path f, byte[] bytes, Load load, Stats stats) {
        long a0 = Allocations.ofCurrentThread();
        long t0 = System.nanoTime();
        Throwable bad = null;
        try {
            if (load.run(f, bytes) == SKIPPED) {
                return;
            }
            stats.loaded++;
        } catch (PersistException e) {
            stats.refused++;
            if (e.file() != null && !e.getMessage().contains(f.getFileName().toString())) {
                bad = new AssertionError("message does not name the file: " + e.getMessage(), e);
            }
        } catch (Throwable t) {
            bad = t;
        }
        long nanos = System.nanoTime() - t0;
        long allocated = Allocations.ofCurrentThread() - a0;
        stats.maxNanos = Math.max(stats.maxNanos, nanos);
        stats.maxAllocated = Math.max(stats.maxAllocated, allocated);
        if (bad == null && nanos > MAX_MILLIS * 1_000_000) {
            bad = new AssertionError("took " + nanos / 1_000_000 + " ms (limit " + MAX_MILLIS + ")");
        }
        if (bad == null && allocated > MAX_ALLOCATED) {
            bad = new AssertionError("allocated " + (allocated >> 20) + " MiB (limit " + (MAX_ALLOCATED >> 20) + ")");
        }
        if (bad != null) {
            Path keep = Path.of("target", "fuzz-crashers");
            try {
                Files.createDirectories(keep);
                Files.write(keep.resolve(what.replaceAll("[^a-z0-9]+", "-") + "-" + f.getFileName()), bytes);
            } catch (IOException ignored) {
                // best effort
            }
            fail(what + ": expected success or a PersistException, got " + bad, bad);
        }
    }

    // ------------------------------------------------------------------ fixtures

    /** 0 when it loaded, 1 when it failed with a PersistException; anything else fails the test. */
    private int checkFixture(Path f, byte[] bytes, boolean npy, String what) {
        try {
            if (npy) {
                Npy.load(f);
                Npy.map(f, MmapMode.READ_ONLY);
                Npy.readHeader(f);
            } else if (f.toString().endsWith(".npz")) {
                Npy.loadNpz(f);
            } else {
                Joblib.load(f);
                Joblib.load(f, MmapMode.READ_ONLY);
                Joblib.load(new ByteArrayInputStream(bytes));
            }
            return 0;
        } catch (PersistException e) {
            if (e.file() == null && !npy) {
                return 1; // the stream variant has no file name to report
            }
            assertThat(e.getMessage()).as(what).contains(f.getFileName().toString());
            return 1;
        } catch (Throwable t) {
            return fail(what + ": expected a PersistException, got " + t, t);
        }
    }

    @Test
    void regressionFixtures_failCleanly() throws Exception {
        Path fixtures = Path.of("src/test/resources/fuzz-regressions");
        assertThat(fixtures).isDirectory();
        try (Stream<Path> files = Files.list(fixtures)) {
            for (Path p : files.filter(p -> !p.toString().endsWith(".md")).toList()) {
                byte[] b = Files.readAllBytes(p);
                Path copy = dir.resolve(p.getFileName());
                Files.write(copy, b);
                checkFixture(copy, b, p.toString().endsWith(".npy"), p.toString());
            }
        }
    }
}
