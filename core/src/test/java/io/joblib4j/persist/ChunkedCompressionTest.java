package io.joblib4j.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.joblib4j.Joblib;
import io.joblib4j.array.DType;
import io.joblib4j.array.NdArray;
import io.joblib4j.array.PersistException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Compressed dumps to files in the chunked container ({@link Chunked}): zstd, lz4 and zlib. */
class ChunkedCompressionTest {
    @TempDir
    Path dir;

    /** Several pieces per array, arrays of every element size, a big-endian NdArray and a boolean[]. */
    static Map<String, Object> value() {
        Random r = new Random(7);
        Map<String, Object> m = new LinkedHashMap<>();
        double[] smooth = new double[200_003];
        for (int i = 0; i < smooth.length; i++) {
            smooth[i] = Math.sin(i * 1e-4) * 100 + r.nextGaussian() * 1e-3;
        }
        m.put("smooth", smooth);
        int[] ints = new int[300_001];
        for (int i = 0; i < ints.length; i++) {
            ints[i] = i / 3 + r.nextInt(4);
        }
        m.put("ints", ints);
        byte[] bytes = new byte[1_100_000];
        r.nextBytes(bytes); // incompressible: lz4 stores such blocks as they are
        m.put("bytes", bytes);
        short[] shorts = new short[70_000];
        for (int i = 0; i < shorts.length; i++) {
            shorts[i] = (short) (i * 7);
        }
        m.put("shorts", shorts);
        boolean[] flags = new boolean[100_000];
        for (int i = 0; i < flags.length; i++) {
            flags[i] = i % 3 == 0;
        }
        m.put("flags", flags);
        MemorySegment big = Arena.ofAuto().allocate(8L * 150_000, 8);
        for (int i = 0; i < 150_000; i++) {
            big.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), i, i * 31L);
        }
        m.put("bigEndian", NdArray.of(DType.INT64, ByteOrder.BIG_ENDIAN, big, 1000, 150));
        m.put("empty", new double[0]);
        m.put("name", "chunked");
        return m;
    }

    static void assertSame(Map<String, Object> back, Map<String, Object> expected) {
        assertThat(back.keySet()).containsExactlyElementsOf(expected.keySet());
        for (String k : List.of("smooth", "ints", "bytes", "shorts", "flags", "empty")) {
            Object a = back.get(k);
            Object e = expected.get(k);
            // Arrays.equals, not containsExactly: AssertJ's diff of large arrays takes minutes
            assertThat(java.util.Objects.deepEquals(a, e))
                    .as(k + ": first difference at " + firstDifference(a, e))
                    .isTrue();
        }
        assertThat(back.get("bigEndian")).isEqualTo(expected.get("bigEndian"));
        assertThat(back.get("name")).isEqualTo("chunked");
    }

    private static int firstDifference(Object a, Object e) {
        int n = java.lang.reflect.Array.getLength(e);
        if (a == null || java.lang.reflect.Array.getLength(a) != n) {
            return -1;
        }
        for (int i = 0; i < n; i++) {
            if (!java.lang.reflect.Array.get(a, i).equals(java.lang.reflect.Array.get(e, i))) {
                return i;
            }
        }
        return n;
    }

    static Compression of(String codec) {
        return Compression.parse(codec);
    }

    @ParameterizedTest
    @ValueSource(strings = {"zstd:3", "lz4", "zlib:3"})
    void dumpToFile_writesIndexedPieces_andLoadsThemBack(String codec) throws Exception {
        Compression c = of(codec);
        Path f = dir.resolve("v" + c.extension());
        Map<String, Object> v = value();
        Joblib.dump(v, f, c);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            Chunked.Index ix = Chunked.index(ch, ch.size(), c.codec());
            assertThat(ix).as("the file has a chunked index").isNotNull();
            assertThat(ix.size()).isGreaterThan(8);
        }
        assertSame(Joblib.load(f), v);
    }

    @ParameterizedTest
    @ValueSource(strings = {"zstd:3", "lz4", "zlib:3"})
    void chunkedFile_isOneStandardStreamOfItsCodec(String codec) throws Exception {
        Compression c = of(codec);
        Path f = dir.resolve("v" + c.extension());
        Map<String, Object> v = value();
        Joblib.dump(v, f, c);
        byte[] file = Files.readAllBytes(f);
        // a sequential decoder of the codec (zlib's checks the Adler-32 of the whole stream) reads it
        assertSame(Joblib.load(new ByteArrayInputStream(file)), v);
        ByteArrayOutputStream streamed = new ByteArrayOutputStream();
        Joblib.dump(v, streamed, c);
        assertThat(decompress(c, file))
                .as("the same uncompressed dump as a stream dump holds")
                .isEqualTo(decompress(c, streamed.toByteArray()));
    }

    private static byte[] decompress(Compression c, byte[] b) throws Exception {
        try (InputStream in = Compression.decompress(c.codec(), new ByteArrayInputStream(b))) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"zstd:3", "lz4", "zlib:3"})
    void damagedIndex_fileIsReadAsOneStream(String codec) throws Exception {
        Compression c = of(codec);
        Path f = dir.resolve("v" + c.extension());
        Map<String, Object> v = value();
        Joblib.dump(v, f, c);
        byte[] b = Files.readAllBytes(f);
        b[b.length - Chunked.TAIL] ^= 1; // the index CRC
        Files.write(f, b);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            assertThat(Chunked.index(ch, ch.size(), c.codec())).isNull();
        }
        assertSame(Joblib.load(f), v);
    }

    @ParameterizedTest
    @ValueSource(strings = {"zstd:3", "lz4", "zlib:3"})
    void corruptPiece_isRefusedNamingThePiece(String codec) throws Exception {
        Compression c = of(codec);
        Path f = dir.resolve("v" + c.extension());
        Joblib.dump(value(), f, c);
        byte[] b = Files.readAllBytes(f);
        // the middle of the smooth array's compressed bytes
        for (int k = 0; k < 64; k++) {
            b[b.length / 5 + k] ^= (byte) 0x5A;
        }
        Files.write(f, b);
        assertThatThrownBy(() -> Joblib.load(f))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining(f.getFileName().toString())
                .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("piece", "checksum"));
    }

    @Test
    void pieceAcrossAShuffleBlock_isRefused() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Compression c = Compression.zstd(1);
        Joblib.dump(value(), out, c);
        byte[] plain = decompress(c, out.toByteArray());
        // pieces of 100 000 bytes: not whole shuffle blocks of the arrays
        MemorySegment src = MemorySegment.ofArray(plain);
        List<Chunked.Piece> pieces = new ArrayList<>();
        for (int at = 0; at < plain.length; at += 100_000) {
            pieces.add(new Chunked.Piece(src, at, Math.min(100_000, plain.length - at), 1));
        }
        Path f = dir.resolve("misfit.zst");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            Chunked.write(ch, c, pieces);
        }
        assertThatThrownBy(() -> Joblib.load(f))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining("misfit.zst")
                .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("does not fit array", "runs into array"));
    }

    @Test
    void indexClaimingMoreThanTheExpansionLimit_isRefusedBeforeAllocating() throws Exception {
        Path f = dir.resolve("v.zst");
        Map<String, Object> v = value();
        Joblib.dump(v, f, Compression.zstd(3));
        LoadOptions small = LoadOptions.builder().maxExpandedBytes(1 << 20).build();
        assertThatThrownBy(() -> Joblib.load(f, small))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining("the index says the dump holds")
                .hasMessageContaining("maxExpansionRatio");
        assertSame(Joblib.load(f), v);
    }

    @Test
    void manyPieces_keepTheCompressionRatioOfOneStream() throws Exception {
        double[] smooth = (double[]) value().get("smooth");
        for (Compression c : List.of(Compression.zstd(3), Compression.lz4(), Compression.zlib(3))) {
            Path f = dir.resolve("s" + c.extension());
            Joblib.dump(smooth, f, c);
            ByteArrayOutputStream one = new ByteArrayOutputStream();
            Joblib.dump(smooth, one, c);
            assertThat((double) Files.size(f))
                    .as(c + ": chunked " + Files.size(f) + " bytes, one stream " + one.size())
                    .isLessThan(one.size() * 1.03 + 200);
        }
    }

    @Test
    void adler32Combine_matchesTheAdlerOfTheWhole() {
        Random r = new Random(3);
        byte[] a = new byte[100_000];
        byte[] b = new byte[70_001];
        r.nextBytes(a);
        r.nextBytes(b);
        java.util.zip.Adler32 whole = new java.util.zip.Adler32();
        whole.update(a);
        whole.update(b);
        java.util.zip.Adler32 x = new java.util.zip.Adler32();
        x.update(a);
        java.util.zip.Adler32 y = new java.util.zip.Adler32();
        y.update(b);
        assertThat(Chunked.adler32Combine(x.getValue(), y.getValue(), b.length)).isEqualTo(whole.getValue());
    }

    @Test
    void shuffle_segmentForms_invertEachOther_forEveryItemSize() {
        Random r = new Random(11);
        for (int item : new int[] {2, 3, 4, 8, 16}) {
            for (int n : new int[] {1, 7, 8, 9, 1000, Shuffle.BLOCK_ELEMENTS}) {
                byte[] src = new byte[n * item];
                r.nextBytes(src);
                byte[] planes = new byte[src.length];
                byte[] back = new byte[src.length];
                Shuffle.shuffle(src, planes, n, item);
                for (int b = 0; b < item; b++) { // plane b holds byte b of every element
                    for (int i = 0; i < n; i += Math.max(1, n / 17)) {
                        assertThat(planes[b * n + i]).isEqualTo(src[i * item + b]);
                    }
                }
                Shuffle.unshuffle(planes, back, n, item);
                assertThat(back).as("item " + item + ", n " + n).isEqualTo(src);
            }
        }
    }

    /** Recomputes the index CRC of a chunked file (for tests that change an entry on purpose). */
    static void fixIndexCrc(byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int len = bb.getInt(b.length - 8);
        CRC32 crc = new CRC32();
        crc.update(b, b.length - Chunked.TAIL - len, len);
        bb.putInt(b.length - Chunked.TAIL, (int) crc.getValue());
    }

    @Test
    void indexEntryChanged_isRefusedOrFallsBack_neverMisread() throws Exception {
        Compression c = Compression.zstd(3);
        Path f = dir.resolve("v.zst");
        Map<String, Object> v = value();
        Joblib.dump(v, f, c);
        byte[] b = Files.readAllBytes(f);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int len = bb.getInt(b.length - 8);
        int first = b.length - Chunked.TAIL - len + 12;
        bb.putInt(first + 8 + 4, bb.getInt(first + 8 + 4) + 64); // piece 1 claims 64 more uncompressed bytes
        fixIndexCrc(b);
        Files.write(f, b);
        assertThatThrownBy(() -> Joblib.load(f)).isInstanceOf(PersistException.class);
    }
}
