package io.joblib4j.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.joblib4j.Joblib;
import io.joblib4j.array.DType;
import io.joblib4j.array.MmapMode;
import io.joblib4j.array.NdArray;
import io.joblib4j.array.PersistException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DumpLoadTest {
    @TempDir
    Path dir;

    record Point(double x, double y, String label) {}

    enum Color {
        RED,
        GREEN
    }

    /** The sample graph holds a record and an enum, which must be allowed like any application class. */
    static final LoadOptions SAMPLE =
            LoadOptions.builder().allowClasses(Point.class, Color.class).build();

    static List<Compression> codecs() {
        return List.of(
                Compression.none(),
                Compression.zlib(3),
                Compression.gzip(3),
                Compression.bz2(1),
                Compression.lzma(1),
                Compression.xz(1),
                Compression.lz4(),
                Compression.zstd(3));
    }

    static Object sampleGraph() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "joblib4j");
        m.put("ints", new int[] {1, 2, 3});
        double[] big = new double[1000];
        for (int i = 0; i < big.length; i++) {
            big[i] = Math.sin(i);
        }
        m.put("big", big);
        m.put("again", big);
        m.put("table", NdArray.wrap(new double[25], 5, 5));
        m.put("point", new Point(1, 2, "p"));
        m.put("color", Color.GREEN);
        m.put("list", new ArrayList<>(List.of(1, 2L, 3.0, "x", LocalDate.of(2024, 1, 2))));
        m.put("set", new TreeSet<>(List.of("b", "a")));
        m.put("uuid", UUID.fromString("12345678-1234-1234-1234-123456789abc"));
        m.put("opt", Optional.of(7));
        m.put("immutable", List.of(1, 2, 3));
        m.put("nested", Map.of("k", new long[] {1L << 40, 5, 6, 7, 8, 9, 10, 11, 12}));
        return m;
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void dumpLoad_everyCodec_roundTripsGraph(Compression c) throws Exception {
        Path f = dir.resolve("g.dump");
        Object graph = sampleGraph();
        Joblib.dump(graph, f, c);
        Map<String, Object> back = Joblib.load(f, SAMPLE);
        assertGraphEquals(graph, back);
        byte[] head = Files.readAllBytes(f);
        assertThat(Compression.detect(head).orElse(Compression.Codec.NONE)).isEqualTo(c.codec());
    }

    @SuppressWarnings("unchecked")
    static void assertGraphEquals(Object expected, Map<String, Object> back) {
        Map<String, Object> m = (Map<String, Object>) expected;
        assertThat(back.keySet()).containsExactlyElementsOf(m.keySet());
        assertThat((int[]) back.get("ints")).containsExactly(1, 2, 3);
        assertThat((double[]) back.get("big")).containsExactly((double[]) m.get("big"));
        assertThat(back.get("again")).isSameAs(back.get("big"));
        assertThat(back.get("table")).isEqualTo(m.get("table"));
        assertThat(back.get("point")).isEqualTo(m.get("point"));
        assertThat(back.get("color")).isEqualTo(Color.GREEN);
        assertThat(back.get("list")).isEqualTo(m.get("list"));
        assertThat(back.get("set")).isEqualTo(m.get("set"));
        assertThat(back.get("uuid")).isEqualTo(m.get("uuid"));
        assertThat(back.get("opt")).isEqualTo(m.get("opt"));
        assertThat(back.get("immutable")).isEqualTo(m.get("immutable"));
        assertThat((long[]) ((Map<String, Object>) back.get("nested")).get("k"))
                .containsExactly((long[]) ((Map<String, Object>) m.get("nested")).get("k"));
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void dumpLoad_streams_roundTrip(Compression c) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Object graph = sampleGraph();
        Joblib.dump(graph, out, c);
        Map<String, Object> back = Joblib.load(new ByteArrayInputStream(out.toByteArray()), SAMPLE);
        assertGraphEquals(graph, back);
    }

    @Test
    void dump_extensionPicksCodec() throws Exception {
        for (Compression c : codecs()) {
            if (c.isNone()) {
                continue;
            }
            Path f = dir.resolve("x.pkl" + c.extension());
            Joblib.dump(List.of("a", 1), f);
            assertThat(Compression.detect(Files.readAllBytes(f))).contains(c.codec());
            assertThat(Joblib.<Object>load(f)).isEqualTo(List.of("a", 1));
        }
    }

    @Test
    void dump_rawArraysAre64ByteAlignedAndMappable() throws Exception {
        Path f = dir.resolve("a.dump");
        NdArray a = NdArray.wrap(new double[1_000], 10, 100);
        for (int i = 0; i < 1000; i++) {
            a.setFlatDouble(i, i);
        }
        Joblib.dump(List.of("x", a), f);
        List<Object> back = Joblib.load(f, MmapMode.READ_ONLY);
        NdArray m = (NdArray) back.get(1);
        assertThat(m.file()).contains(f.toAbsolutePath());
        assertThat(m.fileOffset() % 64).isZero();
        assertThat(m.getDouble(3, 7)).isEqualTo(307.0);
        assertThat(m.isReadOnly()).isTrue();
        assertThatThrownBy(() -> m.setFlatDouble(0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void load_readWrite_writesThroughToFile_copyOnWriteDoesNot() throws Exception {
        Path f = dir.resolve("rw.dump");
        Joblib.dump(NdArray.wrap(new double[1_000_000]), f);
        NdArray rw = Joblib.load(f, MmapMode.READ_WRITE);
        NdArray slice = rw.slice(2, 5);
        slice.setFlatDouble(0, 42.0);
        rw.force();
        NdArray again = Joblib.load(f);
        assertThat(again.getFlatDouble(2)).isEqualTo(42.0);
        NdArray cow = Joblib.load(f, MmapMode.COPY_ON_WRITE);
        cow.setFlatDouble(2, -1);
        assertThat(((NdArray) Joblib.load(f)).getFlatDouble(2)).isEqualTo(42.0);
    }

    @Test
    void load_compressedWithMmap_loadsOnHeap() throws Exception {
        Path f = dir.resolve("c.dump.zst");
        Joblib.dump(NdArray.wrap(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}), f);
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("io.joblib4j.persist");
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                warnings.add(r.getLevel() + " " + java.text.MessageFormat.format(r.getMessage(), r.getParameters()));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        log.addHandler(handler);
        NdArray a;
        try {
            a = Joblib.load(f, MmapMode.READ_ONLY);
        } finally {
            log.removeHandler(handler);
        }
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).startsWith("WARNING").contains("zstd").contains("cannot be memory-mapped");
        assertThat(a.file()).isEmpty();
        assertThat(a.toDoubleArray()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void dump_isAtomic_noTempFilesLeft_andFailureKeepsOldFile() throws Exception {
        Path f = dir.resolve("atomic.dump");
        Joblib.dump("old", f);
        Object unserializable = new Object() {
            @SuppressWarnings("unused") // held only to make the object unserializable
            final Thread t = Thread.currentThread();
        };
        try {
            Joblib.dump(List.of(unserializable), f);
        } catch (PersistException expected) {
            // either refused by the serializer or written: both must leave a complete file
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("atomic.dump");
        }
    }

    @Test
    void load_allTypesOfPrimitiveArrays() throws Exception {
        Path f = dir.resolve("prims.dump");
        List<Object> arrays = List.of(
                new boolean[100],
                new byte[100],
                new short[100],
                new char[100],
                new int[100],
                new long[100],
                new float[100],
                new double[100],
                new boolean[] {true, false},
                new byte[] {1});
        ((boolean[]) arrays.get(0))[7] = true;
        ((char[]) arrays.get(3))[3] = 'z';
        Joblib.dump(arrays, f);
        List<Object> back = Joblib.load(f);
        for (int i = 0; i < arrays.size(); i++) {
            assertThat(back.get(i)).isEqualTo(arrays.get(i));
        }
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void dumpLoad_arraysSpanningSeveralShuffleBlocks_roundTrip(Compression c) throws Exception {
        Path f = dir.resolve("blocks.dump");
        long[] longs = new long[3 * 65536 + 7];
        float[] floats = new float[65536 + 1];
        for (int i = 0; i < longs.length; i++) {
            longs[i] = (long) i * 0x9E3779B97F4A7C15L;
        }
        for (int i = 0; i < floats.length; i++) {
            floats[i] = i / 3f;
        }
        NdArray big = NdArray.of(
                DType.INT32,
                java.nio.ByteOrder.BIG_ENDIAN,
                java.lang.foreign.MemorySegment.ofArray(new byte[4 * 70_000]),
                700,
                100);
        big.setLong(123456, 699, 99);
        Joblib.dump(List.of(longs, floats, big), f, c);
        List<Object> back = Joblib.load(f);
        assertThat((long[]) back.get(0)).isEqualTo(longs);
        assertThat((float[]) back.get(1)).isEqualTo(floats);
        assertThat(back.get(2)).isEqualTo(big);
        assertThat(((NdArray) back.get(2)).getLong(699, 99)).isEqualTo(123456);
    }

    @Test
    void load_nullAndScalars() throws Exception {
        Path f = dir.resolve("n.dump");
        Joblib.dump(null, f);
        assertThat(Joblib.<Object>load(f)).isNull();
        Joblib.dump(42, f);
        assertThat(Joblib.<Object>load(f)).isEqualTo(42);
    }

    @Test
    void load_typed_checksRootType() throws Exception {
        Path f = dir.resolve("t.dump");
        Joblib.dump(new HashMap<>(Map.of("a", 1)), f);
        assertThat(Joblib.load(f, Map.class).get("a")).isEqualTo(1);
        assertThatThrownBy(() -> Joblib.load(f, String.class))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining("expected a java.lang.String");
    }

    @Test
    void ndarray_bigEndianAndUnsignedRoundTrip() throws Exception {
        Path f = dir.resolve("nd.dump");
        NdArray u = NdArray.zeros(DType.UINT32, 4, 4);
        u.setLong(4_000_000_000L, 1, 2);
        Joblib.dump(u, f);
        NdArray back = Joblib.load(f, MmapMode.READ_ONLY);
        assertThat(back.getLong(1, 2)).isEqualTo(4_000_000_000L);
        assertThat(back.dtype()).isEqualTo(DType.UINT32);
    }
}
