package io.joblib4j.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.array.MmapMode;
import io.joblib4j.array.NdArray;
import io.joblib4j.persist.Compression;
import io.joblib4j.persist.LoadOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Memory on top of the persistence API: memory-mapped results, compression, class checks, serialization. */
class MemoryPersistenceTest {
    static final AtomicInteger CALLS = new AtomicInteger();

    @TempDir
    Path dir;

    static NdArray ramp(int n) {
        CALLS.incrementAndGet();
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = i;
        }
        return NdArray.wrap(d);
    }

    record Point(int x, int y) {}

    static final class Plain implements java.io.Serializable {
        final String name;

        Plain(String name) {
            this.name = name;
        }
    }

    static Point point(int x) {
        CALLS.incrementAndGet();
        return new Point(x, -x);
    }

    static Plain plain(String s) {
        CALLS.incrementAndGet();
        return new Plain(s);
    }

    @Test
    void mmapMode_resultComesBackMapped_alsoOnFirstCall() {
        CALLS.set(0);
        Memory memory = Memory.builder()
                .location(dir)
                .verbose(0)
                .mmapMode(MmapMode.READ_ONLY)
                .build();
        CachedFunction<Integer, NdArray> f = memory.cache(MemoryPersistenceTest::ramp);
        NdArray first = f.apply(100_000);
        assertThat(first.mmapMode()).contains(MmapMode.READ_ONLY);
        assertThat(first.file()).isPresent();
        NdArray second = f.apply(100_000);
        assertThat(second.mmapMode()).contains(MmapMode.READ_ONLY);
        assertThat(second.getFlatDouble(99_999)).isEqualTo(99_999.0);
        assertThat(CALLS.get()).isEqualTo(1);
        // the per-function setting overrides the memory's
        NdArray heap = f.mmapMode(null).apply(100_000);
        assertThat(heap.mmapMode()).isEmpty();
        assertThat(heap.getFlatDouble(5)).isEqualTo(5.0);
    }

    @Test
    void compression_storesCompressedAndLoadsBack() throws IOException {
        Memory memory = Memory.builder()
                .location(dir)
                .verbose(0)
                .compression(Compression.zstd(3))
                .build();
        CachedFunction<Integer, NdArray> f = memory.cache(MemoryPersistenceTest::ramp);
        f.apply(200_000);
        Path out;
        try (Stream<Path> s = Files.walk(dir.resolve("joblib4j").resolve(f.functionId()))) {
            out = s.filter(p -> p.getFileName().toString().equals("output"))
                    .findFirst()
                    .orElseThrow();
        }
        assertThat(Files.size(out)).isLessThan(200_000L * 8 / 2);
        assertThat(f.apply(200_000).getFlatDouble(199_999)).isEqualTo(199_999.0);
    }

    @Test
    void defaultLoadOptions_trustOwnResultTypes() {
        CALLS.set(0);
        Memory memory = Memory.builder().location(dir).verbose(0).build();
        CachedFunction<String, Plain> f = memory.cache(MemoryPersistenceTest::plain);
        f.apply("a");
        assertThat(f.apply("a").name).isEqualTo("a");
        assertThat(CALLS.get()).isEqualTo(1);
    }

    @Test
    void restrictiveLoadOptions_recordsAllowedByClassLoad() {
        CALLS.set(0);
        Memory memory = Memory.builder()
                .location(dir)
                .verbose(0)
                .loadOptions(LoadOptions.builder().allowClasses(Point.class).build())
                .build();
        CachedFunction<Integer, Point> f = memory.cache(MemoryPersistenceTest::point);
        f.apply(2);
        assertThat(f.apply(2)).isEqualTo(new Point(2, -2));
        assertThat(CALLS.get()).isEqualTo(1);
    }

    @Test
    void cachedFunction_serializedToAnotherJvmForm_sharesTheCache() throws Exception {
        CALLS.set(0);
        Memory memory = Memory.builder()
                .location(dir)
                .verbose(0)
                .compression(Compression.lz4())
                .build();
        CachedFunction<Integer, Point> f = memory.cache(MemoryPersistenceTest::point);
        f.apply(7);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(buf)) {
            out.writeObject(f);
        }
        CachedFunction<Integer, Point> copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(buf.toByteArray()))) {
            @SuppressWarnings("unchecked") // the stream holds the function written above
            CachedFunction<Integer, Point> read = (CachedFunction<Integer, Point>) in.readObject();
            copy = read;
        }
        assertThat(copy.apply(7)).isEqualTo(new Point(7, -7));
        assertThat(CALLS.get()).isEqualTo(1);
        assertThat(copy.memory().compression()).hasToString("lz4");
    }
}
