package io.joblib4j.bench.memory;

import io.joblib4j.array.MmapMode;
import io.joblib4j.array.NdArray;
import io.joblib4j.memory.CachedFunction;
import io.joblib4j.memory.Memory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of a cache hit: tiny argument and result, an 8 MB array argument, an 80 MB result memory-mapped, and a
 * tiny hit through a {@code CachedFunction} created for the call (identity resolved again, code version cached).
 *
 * <p>Run: {@code ./joblib4j bench jmh -- MemoryHitBenchmark -f 1 -wi 3 -i 5}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgs = {"--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class MemoryHitBenchmark {
    Path dir;
    Memory memory;
    CachedFunction<Integer, Integer> tiny;
    CachedFunction<double[], Double> total;
    CachedFunction<Integer, NdArray> mapped;
    double[] arg8mb;

    @Setup
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("joblib4j-memory-jmh");
        memory = Memory.builder().location(dir).verbose(0).build();
        tiny = memory.cache(MemoryScenario::tiny);
        total = memory.cache(MemoryScenario::total);
        mapped = Memory.builder()
                .location(dir)
                .verbose(0)
                .mmapMode(MmapMode.READ_ONLY)
                .build()
                .cache(MemoryScenario::bigNd);
        arg8mb = new double[1_000_000];
        java.util.Arrays.setAll(arg8mb, i -> i * 0.5);
        tiny.apply(1);
        total.apply(arg8mb);
        mapped.apply(-1);
    }

    @TearDown
    public void tearDown() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Benchmark
    public Integer hitTiny() {
        return tiny.apply(1);
    }

    @Benchmark
    public Integer hitTinyFreshCachedFunction() {
        return memory.cache(MemoryScenario::tiny).apply(1);
    }

    @Benchmark
    public Double hit8MbArgument() {
        return total.apply(arg8mb);
    }

    @Benchmark
    public NdArray hit80MbResultMapped() {
        return mapped.apply(-1);
    }
}
