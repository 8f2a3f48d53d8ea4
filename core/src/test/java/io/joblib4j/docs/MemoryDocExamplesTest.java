package io.joblib4j.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.array.MmapMode;
import io.joblib4j.array.NdArray;
import io.joblib4j.memory.CacheEntry;
import io.joblib4j.memory.CacheValidation;
import io.joblib4j.memory.CachedBiFunction;
import io.joblib4j.memory.CachedFunction;
import io.joblib4j.memory.CachedResult;
import io.joblib4j.memory.CallOutput;
import io.joblib4j.memory.Memory;
import io.joblib4j.parallel.Parallel;
import io.joblib4j.persist.Compression;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The examples of docs/memory.md, run as tests. The text between {@code // region NAME} and {@code // endregion} is
 * what the document shows.
 */
class MemoryDocExamplesTest {
    static final AtomicInteger RUNS = new AtomicInteger();

    @TempDir
    Path cachedir;

    // region f
    static int f(int x) {
        System.out.println("Running f(" + x + ")");
        return x;
    }
    // endregion

    static double[] loadColumn(String table, int column) {
        RUNS.incrementAndGet();
        return new double[] {column, column + 1};
    }

    static NdArray simulate(long seed) {
        RUNS.incrementAndGet();
        double[] d = new double[1_000_000];
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < d.length; i++) {
            d[i] = r.nextGaussian();
        }
        return NdArray.wrap(d);
    }

    static String render(String page, boolean verbose) {
        RUNS.incrementAndGet();
        return "<p>" + page + "</p>";
    }

    @Test
    void quickstart() {
        java.io.PrintStream stdout = System.out;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            quickstartExample();
        } finally {
            System.setOut(stdout);
        }
        assertThat(printed.toString(java.nio.charset.StandardCharsets.UTF_8)
                        .lines()
                        .toList())
                .containsExactly("Running f(1)", "Running f(2)");
    }

    private void quickstartExample() {
        // region quickstart
        // Python: memory = Memory(cachedir, verbose=0); f = memory.cache(f)
        Memory memory = Memory.builder().location(cachedir).verbose(0).build();
        CachedFunction<Integer, Integer> cached = memory.cache(MemoryDocExamplesTest::f);
        cached.apply(1); // prints "Running f(1)", stores the result
        cached.apply(1); // returns 1 from cachedir: f does not run
        cached.apply(2); // prints "Running f(2)"
        // endregion
    }

    @Test
    void namesAndTwoArguments() {
        RUNS.set(0);
        Memory memory = Memory.builder().location(cachedir).verbose(0).build();
        // region names
        // A method reference is identified by its class and method: com.acme.Tables.loadColumn
        CachedBiFunction<String, Integer, double[]> column = memory.cache(MemoryDocExamplesTest::loadColumn);

        // A lambda's compiler-given name can change when code around it changes: give it a stable name.
        CachedFunction<Integer, Integer> square = memory.cache("square", (Integer x) -> x * x);

        // Values a lambda captures are part of the key, like its arguments.
        int offset = 10;
        CachedFunction<Integer, Integer> shifted = memory.cache("shifted", (Integer x) -> x + offset);
        // endregion
        column.apply("sales", 2);
        column.apply("sales", 2);
        assertThat(RUNS.get()).isEqualTo(1);
        assertThat(square.apply(4)).isEqualTo(16);
        assertThat(shifted.apply(1)).isEqualTo(11);
    }

    @Test
    void shelveAndInspect() {
        RUNS.set(0);
        Memory memory = Memory.builder().location(cachedir).verbose(0).build();
        CachedBiFunction<String, Integer, double[]> column = memory.cache(MemoryDocExamplesTest::loadColumn);
        // region shelve
        CachedResult<double[]> ref = column.callAndShelve("sales", 3); // computed and stored, not loaded
        Duration took = ref.duration(); // how long the call took
        double[] values = ref.get(); // read from the store now
        boolean there = column.isCached("sales", 3); // true
        ref.clear(); // removes this one result
        column.clear(); // removes every result of the function
        // endregion
        assertThat(values).containsExactly(3.0, 4.0);
        assertThat(there).isTrue();
        assertThat(took).isNotNull();
        assertThat(column.isCached("sales", 3)).isFalse();
    }

    @Test
    void callAlwaysComputes() {
        RUNS.set(0);
        Memory memory = Memory.builder().location(cachedir).verbose(0).build();
        CachedBiFunction<String, Integer, double[]> column = memory.cache(MemoryDocExamplesTest::loadColumn);
        column.apply("sales", 3);
        // region call
        CallOutput<double[]> fresh = column.call("sales", 3); // computed even though it is cached
        double[] output = fresh.output(); // the value just computed, now in the cache
        CacheEntry metadata = fresh.metadata(); // key, time, duration, input_args
        // endregion
        assertThat(RUNS.get()).isEqualTo(2);
        assertThat(output).containsExactly(3.0, 4.0);
        assertThat(metadata.inputArgs()).hasSize(2);
        assertThat(column.apply("sales", 3)).containsExactly(3.0, 4.0);
        assertThat(RUNS.get()).isEqualTo(2);
    }

    @Test
    void ignoreAndValidate() {
        RUNS.set(0);
        Memory memory = Memory.builder().location(cachedir).verbose(0).build();
        // region ignore
        // The verbose flag does not change the result: leave it out of the key (joblib's ignore=["verbose"]).
        // Parameter names come from the bytecode when compiled with -parameters; else use positions: ignoring(1).
        CachedBiFunction<String, Boolean, String> page =
                memory.cache(MemoryDocExamplesTest::render).ignoring("verbose");
        page.apply("home", true);
        page.apply("home", false); // same entry: render does not run again

        // Recompute results older than an hour (joblib's cache_validation_callback=expires_after(hours=1)),
        // or decide from the entry's metadata: here, only keep results that took more than 100 ms to compute.
        CachedBiFunction<String, Boolean, String> fresh =
                page.validatedBy(CacheValidation.expiresAfter(Duration.ofHours(1)));
        CachedBiFunction<String, Boolean, String> slowOnly =
                page.validatedBy(e -> e.duration().toMillis() > 100);
        // endregion
        assertThat(RUNS.get()).isEqualTo(1);
        fresh.apply("home", true);
        assertThat(RUNS.get()).isEqualTo(1);
        slowOnly.apply("home", true);
        assertThat(RUNS.get()).isEqualTo(2);
    }

    @Test
    void sizeLimits() {
        // region limits
        Memory memory = Memory.builder()
                .location(cachedir)
                .verbose(0)
                .bytesLimit("2G") // enforced after every store, least recently used first
                .compression(Compression.lz4()) // smaller files; results then load onto the heap
                .build();
        // On demand, like joblib's reduce_size: every limit that is given must hold afterwards (null = no limit).
        List<CacheEntry> removed = memory.reduceSize(500L << 20, 10_000, Duration.ofDays(30));
        // endregion
        assertThat(removed).isEmpty();
    }

    @Test
    void mmapResults() {
        RUNS.set(0);
        // region mmap
        Memory memory = Memory.builder()
                .location(cachedir)
                .verbose(0)
                .mmapMode(MmapMode.READ_ONLY)
                .build();
        CachedFunction<Long, NdArray> sim = memory.cache(MemoryDocExamplesTest::simulate);
        NdArray first = sim.apply(42L); // computed, stored, and returned mapped from the store
        NdArray again = sim.apply(42L); // mapped in well under a millisecond, whatever its size
        // endregion
        assertThat(first.mmapMode()).contains(MmapMode.READ_ONLY);
        assertThat(again.getFlatDouble(10)).isEqualTo(first.getFlatDouble(10));
        assertThat(RUNS.get()).isEqualTo(1);
    }

    static double[] costlyCompute(double[][] data, int column) {
        RUNS.incrementAndGet();
        double[] c = new double[data.length];
        for (int i = 0; i < data.length; i++) {
            c[i] = data[i][column];
        }
        return c;
    }

    @Test
    void withParallel() {
        RUNS.set(0);
        Memory memory = Memory.builder().location(cachedir).verbose(0).build();
        double[][] data = new double[1000][4];
        // region parallel
        CachedBiFunction<double[][], Integer, double[]> costly = memory.cache(MemoryDocExamplesTest::costlyCompute);
        List<Double> means = Parallel.of(2)
                .map(
                        col -> java.util.Arrays.stream(costly.apply(data, col))
                                .average()
                                .orElseThrow(),
                        List.of(0, 1, 2, 3));
        // A second run of the loop (here, in a later run, or in another JVM on the same cachedir) reads the cache.
        // endregion
        assertThat(means).hasSize(4);
        Parallel.of(2).map(col -> costly.apply(data, col).length, List.of(0, 1, 2, 3));
        assertThat(RUNS.get()).isEqualTo(4);
    }
}
