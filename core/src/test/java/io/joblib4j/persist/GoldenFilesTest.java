package io.joblib4j.persist;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.Joblib;
import io.joblib4j.array.DType;
import io.joblib4j.array.MmapMode;
import io.joblib4j.array.NdArray;
import io.joblib4j.array.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dump files written by format version 1 and 2 (and version 2 in the chunked container of compressed files) are
 * checked in under {@code src/test/resources/golden}: every later version must still read them. Regenerate (only for a deliberate format change, with a new format version) with
 * {@code ./mvnw -pl core test -Dtest=GoldenFilesTest -Djoblib4j.regenerateGolden=true}.
 */
class GoldenFilesTest {
    static final Path GOLDEN = Path.of("src/test/resources/golden");
    static final List<Compression> CODECS = List.of(
            Compression.none(),
            Compression.zstd(3),
            Compression.gzip(3),
            Compression.lz4(),
            Compression.xz(1),
            Compression.bz2(1),
            Compression.zlib(3),
            Compression.lzma(1));

    @TempDir
    Path dir;

    static Map<String, Object> graph() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "golden");
        m.put("ints", new int[] {1, 2, 3});
        double[] ramp = new double[100];
        for (int i = 0; i < ramp.length; i++) {
            ramp[i] = i / 4.0;
        }
        m.put("ramp", ramp);
        NdArray table = NdArray.zeros(DType.INT32, 5, 5);
        for (int i = 0; i < 25; i++) {
            table.setFlatLong(i, (long) i * i);
        }
        m.put("table", table);
        m.put("list", new ArrayList<>(List.of(1, 2L, 3.5, "four", LocalDate.of(2024, 2, 29), List.of(true))));
        return m;
    }

    /** Format version 2 (array checksums), uncompressed: what dump writes today. */
    static final String V2 = "v2-graph.j4j";

    /** Layout 1 files: uncompressed, and compressed files from before the byte-shuffle layout existed. */
    static String fileName(Compression c) {
        return "v1-graph" + (c.isNone() ? ".j4j" : ".j4j" + c.extension());
    }

    /** Layout 2 files: compressed with byte-shuffled arrays (what compressed dumps are today). */
    static String shuffledName(Compression c) {
        return "v1-shuffled-graph.j4j" + c.extension();
    }

    /** Codecs whose dumps to a file use the chunked container ({@link Chunked}), format version 2 inside. */
    static final List<Compression> CHUNKED = List.of(Compression.zstd(3), Compression.lz4(), Compression.zlib(3));

    /** Chunked container files (independent pieces with an index at the end). */
    static String chunkedName(Compression c) {
        return "v2-chunked-graph.j4j" + c.extension();
    }

    @Test
    void goldenDumps_stillLoad() throws Exception {
        if (Boolean.getBoolean("joblib4j.regenerateGolden")) {
            // version 1 files cannot be written any more: only the version 2 one is regenerated
            Files.createDirectories(GOLDEN);
            Joblib.dump(graph(), GOLDEN.resolve(V2), Compression.none());
            for (Compression c : CHUNKED) {
                Joblib.dump(graph(), GOLDEN.resolve(chunkedName(c)), c);
            }
        }
        Map<String, Object> expected = graph();
        List<Path> files = new ArrayList<>();
        files.add(GOLDEN.resolve(V2));
        for (Compression c : CODECS) {
            files.add(GOLDEN.resolve(fileName(c)));
            if (!c.isNone()) {
                files.add(GOLDEN.resolve(shuffledName(c)));
            }
        }
        for (Compression c : CHUNKED) {
            files.add(GOLDEN.resolve(chunkedName(c)));
        }
        for (Path f : files) {
            Map<String, Object> back = Joblib.load(f);
            assertThat(back.keySet()).as(f.toString()).containsExactlyElementsOf(expected.keySet());
            assertThat((int[]) back.get("ints")).containsExactly(1, 2, 3);
            assertThat((double[]) back.get("ramp")).containsExactly((double[]) expected.get("ramp"));
            assertThat(back.get("table")).isEqualTo(expected.get("table"));
            assertThat(back.get("list")).isEqualTo(expected.get("list"));
        }
        assertThat(Npy.load(GOLDEN.resolve("v1-table.npy"))).isEqualTo(expected.get("table"));
    }

    @Test
    void dumpToday_isByteIdenticalToGolden_soFormatChangesAreNoticed() throws Exception {
        Path f = dir.resolve("now.j4j");
        Joblib.dump(graph(), f);
        assertThat(Files.readAllBytes(f))
                .as("the uncompressed dump format changed: bump DumpFormat.VERSION and keep reading versions 1, 2")
                .isEqualTo(Files.readAllBytes(GOLDEN.resolve(V2)));
    }

    @Test
    void goldenDump_mmap_mapsTheTable() throws Exception {
        Map<String, Object> back = Joblib.load(GOLDEN.resolve(fileName(Compression.none())), MmapMode.READ_ONLY);
        NdArray t = (NdArray) back.get("table");
        assertThat(t.file()).isPresent();
        assertThat(t.getLong(4, 4)).isEqualTo(576);
    }
}
