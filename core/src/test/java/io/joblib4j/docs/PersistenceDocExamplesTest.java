package io.joblib4j.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.joblib4j.Joblib;
import io.joblib4j.array.DType;
import io.joblib4j.array.MmapMode;
import io.joblib4j.array.NdArray;
import io.joblib4j.array.Npy;
import io.joblib4j.persist.Compression;
import io.joblib4j.persist.DisallowedClassException;
import io.joblib4j.persist.LoadOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples of docs/persistence.md: each region between "// doc:NAME" and "// end:NAME" is copied there. */
class PersistenceDocExamplesTest {
    @TempDir
    Path dir;

    @SuppressWarnings("ArrayRecordComponent") // the examples compare a model's weights, never models by equals
    public record Model(String name, double[] weights) {}

    public static final class Settings {
        int depth = 3;
    }

    @Test
    void dumpAndLoad() throws Exception {
        Path file = dir.resolve("data.j4j");
        // doc:dump-load
        NdArray table = NdArray.zeros(DType.FLOAT64, 5, 5);
        List<Object> toPersist = List.of("name", new int[] {1, 2, 3}, table);
        Joblib.dump(toPersist, file);
        List<Object> back = Joblib.load(file);
        int[] ints = (int[]) back.get(1); // plain arrays come back as plain arrays
        NdArray sameTable = (NdArray) back.get(2); // on the heap: not memory-mapped
        // end:dump-load
        assertThat(ints).containsExactly(1, 2, 3);
        assertThat(sameTable).isEqualTo(table);
        assertThat(back.get(0)).isEqualTo("name");
    }

    @Test
    void compression() throws Exception {
        Object data = List.of("x", new double[1000]);
        // doc:compression
        Joblib.dump(data, dir.resolve("data.j4j.zst")); // extension picks zstd
        Joblib.dump(data, dir.resolve("data.j4j"), Compression.lz4()); // explicit codec
        Joblib.dump(data, dir.resolve("data.j4j.gz"), Compression.gzip(6)); // codec and level
        Joblib.dump(data, dir.resolve("fast.j4j"), Compression.byDefault()); // "compress=True": zstd level 3
        Object back = Joblib.load(dir.resolve("data.j4j.gz")); // codec detected from magic bytes
        // end:compression
        assertThat(Compression.detect(Files.readAllBytes(dir.resolve("data.j4j"))))
                .contains(Compression.Codec.LZ4);
        assertThat(((List<?>) back).get(0)).isEqualTo("x");
    }

    @Test
    void memoryMapping() throws Exception {
        Path file = dir.resolve("large.j4j");
        // doc:mmap
        double[] values = new double[1_000_000];
        Arrays.setAll(values, i -> i);
        Joblib.dump(NdArray.wrap(values), file);

        NdArray large = Joblib.load(file, MmapMode.READ_WRITE); // maps the file: no copy, under a millisecond
        NdArray slice = large.slice(2, 5); // zero-copy view of rows 2..4
        slice.setFlatDouble(0, -2.0); // writes through to the file
        large.force();

        NdArray again = Joblib.load(file, MmapMode.READ_ONLY);
        double written = again.getFlatDouble(2); // -2.0
        // end:mmap
        assertThat(written).isEqualTo(-2.0);
        assertThat(slice.toDoubleArray()).containsExactly(-2.0, 3.0, 4.0);
        assertThat(large.file()).contains(file.toAbsolutePath());
    }

    @Test
    void allowlist() throws Exception {
        Path file = dir.resolve("settings.j4j");
        Joblib.dump(new Settings(), file);
        // doc:allowlist
        // JDK value types and collections load by default; your classes, records and enums must be allowed
        assertThatThrownBy(() -> Joblib.load(file)).isInstanceOf(DisallowedClassException.class);
        LoadOptions trusted = LoadOptions.builder()
                .allowClasses(Settings.class) // or .allowPackages("com.acme.model")
                .mmapMode(MmapMode.READ_ONLY)
                .build();
        Settings s = Joblib.load(file, trusted);
        // end:allowlist
        assertThat(s.depth).isEqualTo(3);
        Joblib.dump(new Model("m", new double[] {1}), file);
        assertThatThrownBy(() -> Joblib.load(file)).isInstanceOf(DisallowedClassException.class);
        assertThat(Joblib.load(file, Model.class).name()).isEqualTo("m");
    }

    @Test
    void npy() throws Exception {
        // doc:npy
        NdArray a = NdArray.wrap(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Npy.save(dir.resolve("a.npy"), a); // numpy.load("a.npy") reads it
        NdArray b = Npy.load(dir.resolve("a.npy")); // on the heap
        NdArray c = Npy.map(dir.resolve("a.npy"), MmapMode.READ_ONLY);
        Npy.saveNpz(dir.resolve("both.npz"), Map.of("a", a, "b", b));
        Map<String, NdArray> arrays = Npy.loadNpz(dir.resolve("both.npz"));
        // end:npy
        assertThat(b).isEqualTo(a);
        assertThat(c.getDouble(1, 2)).isEqualTo(6.0);
        assertThat(arrays).containsKeys("a", "b");
    }

    @Test
    void hashing() {
        // doc:hash
        String h1 = Joblib.hash(Map.of("alpha", 0.5, "sizes", List.of(1, 2, 3)));
        String h2 = Joblib.hash(Map.of("sizes", List.of(1, 2, 3), "alpha", 0.5)); // same content, other order
        String h3 = Joblib.hash(List.of(3, 2, 1)); // lists are ordered
        // h1.equals(h2); h1.length() == 32
        // end:hash
        assertThat(h1).isEqualTo(h2).hasSize(32).isNotEqualTo(h3);
    }
}
