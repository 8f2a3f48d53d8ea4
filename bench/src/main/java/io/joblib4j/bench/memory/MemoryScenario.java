package io.joblib4j.bench.memory;

import io.joblib4j.array.NdArray;
import io.joblib4j.internal.CodeVersions;
import io.joblib4j.memory.CachedFunction;
import io.joblib4j.memory.Memory;
import io.joblib4j.persist.MmapMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * Memory's cost in the scenarios of the issue, measured in one run, printed as a table with the peer figures of
 * Python joblib when {@code bench/python/memory_peer.py} runs beside it (same machine, same scenarios):
 * <ol>
 *   <li>a cache hit whose argument is an 8 MB array (the cost is hashing the argument and loading a tiny result);</li>
 *   <li>a miss that stores an 80 MB result, minus the uncached call (the cost of dump + publish);</li>
 *   <li>a hit loading that 80 MB result onto the heap, and memory-mapped;</li>
 *   <li>the code-version check: the first analysis of a function in a JVM, and a hit through a fresh
 *       {@code CachedFunction} (the analysis is then cached per JVM).</li>
 * </ol>
 * Each figure is the median of several repetitions after warm-up.
 *
 * <p>Run (with the Python figures beside): {@code bench/python/run_memory_peer.sh}; the Java part alone:
 * {@code java --enable-native-access=ALL-UNNAMED -cp "bench/target/classes:$(cat bench/target/cp.txt)"
 * io.joblib4j.bench.memory.MemoryScenario [DIR]} after the build command in that script.
 */
public final class MemoryScenario {
    private MemoryScenario() {}

    /** Sum of the argument: small result, large argument. */
    static double total(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v;
        }
        return s;
    }

    /** An 80 MB result (10M doubles), as a plain array (loaded onto the heap). */
    static double[] bigArray(int seed) {
        double[] d = new double[10_000_000];
        for (int i = 0; i < d.length; i++) {
            d[i] = seed + i;
        }
        return d;
    }

    /** The same 80 MB result as an NdArray (memory-mappable). */
    static NdArray bigNd(int seed) {
        return NdArray.wrap(bigArray(seed));
    }

    static int tiny(int x) {
        return x + 1;
    }

    private static double median(List<Long> nanos) {
        long[] v = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        return (v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2.0) / 1e6;
    }

    private static double time(int warmup, int reps, LongSupplier once) {
        for (int i = 0; i < warmup; i++) {
            once.getAsLong();
        }
        List<Long> t = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            t.add(once.getAsLong());
        }
        return median(t);
    }

    private static long nanos(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return System.nanoTime() - t0;
    }

    public static void main(String[] args) throws IOException {
        Path base = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("joblib4j-memory-bench");
        Path dir = base.resolve("java");
        Locale.setDefault(Locale.ROOT);
        try {
            run(dir);
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void run(Path dir) {
        // 4. code version, first: the first analysis of a function in this JVM (cold classes, cold JIT)
        long cv0 = System.nanoTime();
        CodeVersions.of(MemoryScenario.class.getClassLoader(), "io/joblib4j/bench/memory/MemoryScenario", "total", "([D)D");
        double firstAnalysisMs = (System.nanoTime() - cv0) / 1e6;

        Memory memory = Memory.builder().location(dir).verbose(0).build();
        Memory mmapMemory = Memory.builder().location(dir).verbose(0).mmapMode(MmapMode.READ_ONLY).build();

        // 1. hit with an 8 MB argument
        double[] arg = new double[1_000_000];
        Arrays.setAll(arg, i -> i * 0.5);
        CachedFunction<double[], Double> total = memory.cache(MemoryScenario::total);
        total.apply(arg);
        double hit8 = time(20, 50, () -> nanos(() -> total.apply(arg)));

        // 2. miss + store of 80 MB, minus the uncached call
        int[] seed = {0};
        double uncached = time(2, 7, () -> nanos(() -> bigArray(++seed[0])));
        CachedFunction<Integer, double[]> big = memory.cache(MemoryScenario::bigArray);
        double miss = time(2, 7, () -> nanos(() -> big.apply(++seed[0])));
        big.clear();
        CachedFunction<Integer, NdArray> bigNd = memory.cache(MemoryScenario::bigNd);
        double uncachedNd = time(2, 7, () -> nanos(() -> bigNd(++seed[0])));
        double missNd = time(2, 7, () -> nanos(() -> bigNd.apply(++seed[0])));
        bigNd.clear();

        // 3. hit on the 80 MB result: heap and mmap
        big.apply(-1);
        double hitHeap = time(3, 9, () -> nanos(() -> big.apply(-1)));
        CachedFunction<Integer, NdArray> mapped = mmapMemory.cache(MemoryScenario::bigNd);
        mapped.apply(-1);
        double hitMmap = time(20, 50, () -> nanos(() -> mapped.apply(-1)));

        // 4. code version after the first call: a hit through a fresh CachedFunction each time vs the same one
        CachedFunction<Integer, Integer> t = memory.cache(MemoryScenario::tiny);
        t.apply(1);
        double hitSame = time(3000, 3000, () -> nanos(() -> t.apply(1)));
        double hitFresh = time(3000, 3000, () -> nanos(() -> memory.cache(MemoryScenario::tiny).apply(1)));

        System.out.printf("%-58s %12s%n", "scenario (java, median)", "ms");
        System.out.printf("%-58s %12.3f%n", "hit, 8 MB array argument", hit8);
        System.out.printf("%-58s %12.3f%n", "miss + store of 80 MB double[], overhead over the call", miss - uncached);
        System.out.printf("%-58s %12.3f%n", "miss + store of 80 MB NdArray, overhead over the call", missNd - uncachedNd);
        System.out.printf("%-58s %12.3f%n", "  (uncached call producing 80 MB)", uncached);
        System.out.printf("%-58s %12.3f%n", "hit, 80 MB result loaded onto the heap", hitHeap);
        System.out.printf("%-58s %12.3f%n", "hit, 80 MB result memory-mapped (READ_ONLY)", hitMmap);
        System.out.printf("%-58s %12.3f%n", "code version: first analysis in this JVM", firstAnalysisMs);
        System.out.printf("%-58s %12.3f%n", "hit, tiny argument, same CachedFunction", hitSame);
        System.out.printf("%-58s %12.3f%n", "hit, tiny argument, fresh CachedFunction each call", hitFresh);
    }
}
