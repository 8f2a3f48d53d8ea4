package io.joblib4j.bench.memory;

import io.joblib4j.array.MmapMode;
import io.joblib4j.array.NdArray;
import io.joblib4j.bench.PythonPeer;
import io.joblib4j.bench.Table;
import io.joblib4j.memory.CachedFunction;
import io.joblib4j.memory.Memory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
 * <p>Run: {@code ./joblib4j bench memory [DIR]} (DIR: where the caches go, default a new temporary directory). The
 * Python side is {@code bench/python/memory_peer.py}, run with the first Python that has joblib and numpy
 * ({@code JOBLIB4J_PYTHON}, {@code python3}, {@code /usr/bin/python3}).
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
        long warm = 0;
        for (int i = 0; i < warmup; i++) {
            warm += once.getAsLong();
        }
        if (warm < 0) {
            throw new IllegalStateException("negative time");
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
        Map<String, Double> java;
        try {
            java = measure(dir);
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        Map<String, Double> py = new LinkedHashMap<>();
        Optional<String> python = PythonPeer.python();
        if (python.isPresent()) {
            try {
                for (Map<String, String> r : PythonPeer.run(python.get(), "memory_peer.py", base.toString())) {
                    py.put(r.get("scenario"), Double.parseDouble(r.get("ms")));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            System.err.println("no python with joblib and numpy found (JOBLIB4J_PYTHON, python3, /usr/bin/python3):"
                    + " joblib4j figures only");
        }
        Table t = new Table("scenario (median of repetitions)", "joblib4j ms", "joblib ms", "joblib / joblib4j");
        String[][] rows = {
            {"hit8", "hit, 8 MB array argument"},
            {"store80", "miss + store of an 80 MB double[] / ndarray, over the plain call"},
            {"store80nd", "miss + store of an 80 MB NdArray, over the plain call"},
            {"call80", "(the plain call producing 80 MB)"},
            {"load80", "hit, 80 MB result loaded onto the heap"},
            {"mmap80", "hit, 80 MB result memory-mapped (READ_ONLY / mmap_mode='r')"},
            {"tiny", "hit, tiny argument and result"},
            {"tinyFresh", "hit, tiny, through a new CachedFunction each call (code version cached per JVM)"},
            {"analysis", "code version: first use of a cached function in a JVM (bytecode analysis)"},
        };
        for (String[] r : rows) {
            Double j = java.get(r[0]);
            Double p = py.get(r[0].equals("store80nd") ? "store80" : r[0]);
            t.row(
                    r[1],
                    String.format(Locale.ROOT, "%.3f", j),
                    p == null ? "-" : String.format(Locale.ROOT, "%.3f", p),
                    p == null || r[0].equals("call80") ? "" : String.format(Locale.ROOT, "%.1fx", p / j));
        }
        t.print(System.out);
    }

    private static Map<String, Double> measure(Path dir) {
        // 4. code version, first: the first use of a cached function in this JVM (cold classes, cold JIT), which
        //    analyses its bytecode; a probe with a one-element argument adds a hash and a stat to it.
        Memory memory = Memory.builder().location(dir).verbose(0).build();
        long cv0 = System.nanoTime();
        memory.cache(MemoryScenario::total).isCached(new double[1]);
        double firstAnalysisMs = (System.nanoTime() - cv0) / 1e6;

        Memory mmapMemory = Memory.builder()
                .location(dir)
                .verbose(0)
                .mmapMode(MmapMode.READ_ONLY)
                .build();

        // 1. hit with an 8 MB argument
        double[] arg = new double[1_000_000];
        Arrays.setAll(arg, i -> i * 0.5);
        CachedFunction<double[], Double> total = memory.cache(MemoryScenario::total);
        total.apply(arg);
        double hit8 = time(20, 50, () -> nanos(() -> total.apply(arg)));

        // 2. miss + store of 80 MB, minus the uncached call. The variants alternate and each stored entry is removed
        //    right after (outside the timing), so that no variant pays for the dirty pages another one left behind.
        CachedFunction<Integer, double[]> big = memory.cache(MemoryScenario::bigArray);
        CachedFunction<Integer, NdArray> bigNd = memory.cache(MemoryScenario::bigNd);
        List<Long> tUncached = new ArrayList<>();
        List<Long> tMiss = new ArrayList<>();
        List<Long> tUncachedNd = new ArrayList<>();
        List<Long> tMissNd = new ArrayList<>();
        for (int rep = 0, seed = 0; rep < 9; rep++) {
            int s1 = ++seed;
            long a = nanos(() -> bigArray(s1));
            long b = nanos(() -> big.apply(s1));
            big.clear();
            int s2 = ++seed;
            long c = nanos(() -> bigNd(s2));
            long d = nanos(() -> bigNd.apply(s2));
            bigNd.clear();
            if (rep >= 2) {
                tUncached.add(a);
                tMiss.add(b);
                tUncachedNd.add(c);
                tMissNd.add(d);
            }
        }
        double uncached = median(tUncached);
        double miss = median(tMiss);
        double uncachedNd = median(tUncachedNd);
        double missNd = median(tMissNd);

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
        double hitFresh = time(
                3000, 3000, () -> nanos(() -> memory.cache(MemoryScenario::tiny).apply(1)));

        Map<String, Double> java = new LinkedHashMap<>();
        java.put("hit8", hit8);
        java.put("store80", miss - uncached);
        java.put("store80nd", missNd - uncachedNd);
        java.put("call80", uncached);
        java.put("load80", hitHeap);
        java.put("mmap80", hitMmap);
        java.put("tiny", hitSame);
        java.put("tinyFresh", hitFresh);
        java.put("analysis", firstAnalysisMs);
        return java;
    }
}
