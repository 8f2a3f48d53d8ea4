package io.joblib4j.bench.process;

import io.joblib4j.array.MmapMode;
import io.joblib4j.array.NdArray;
import io.joblib4j.array.Npy;
import io.joblib4j.backend.Backend;
import io.joblib4j.cli.demo.DocExamples;
import io.joblib4j.cli.demo.PeakMemory;
import io.joblib4j.parallel.Parallel;
import io.joblib4j.process.ProcessPool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Whole scenarios of the process backend, measured in one run and printed as a table with ratios: cold start, warm
 * tiny-task throughput, a large array shared by many tasks (time and peak memory of parent and workers together), and
 * the documents' memmap example, each beside the thread backend.
 *
 * <p>Run (after {@code ./mvnw -q -B -DskipTests package -pl cli -am}):
 * <pre>{@code
 * java --enable-native-access=ALL-UNNAMED -cp "cli/target/joblib4j-cli.jar:cli/target/lib/*" \
 *     io.joblib4j.bench.process.ProcessScenarios              # the whole table
 * java ... io.joblib4j.bench.process.ProcessScenarios cold tiny memmap array   # some parts
 * }</pre>
 * The large-array lines run each variant in a fresh JVM. Python joblib's figures for the same scenarios come from
 * {@code /usr/bin/python3 bench/python/process_peer.py}; see BENCHMARKS.md.
 */
public final class ProcessScenarios {
    private ProcessScenarios() {}

    public static void main(String[] args) {
        java.util.Set<String> only = java.util.Set.of(args);
        if (!only.isEmpty()) {
            runSome(only);
            return;
        }
        System.out.println(
                "scenario                                   | joblib4j processes | joblib4j threads | ratio");
        System.out.println(
                "-------------------------------------------|--------------------|------------------|------");
        Duration cold = coldStartFirstResult(2);
        System.out.printf(
                Locale.ROOT,
                "cold pool of 2, first result               | %14.3f s   |                  |%n",
                secs(cold));
        double procCall = smallCallMillis(Backend.named("processes"));
        double threadCall = smallCallMillis(Backend.threads());
        System.out.printf(
                Locale.ROOT,
                "small call (4 tasks) on a warm pool, ms    | %14.2f     | %14.2f   | %.1f%n",
                procCall,
                threadCall,
                procCall / threadCall);
        double procRate = tinyTaskThroughput(Backend.named("processes"), 2, 2_000_000);
        double threadRate = tinyTaskThroughput(Backend.threads(), 2, 2_000_000);
        System.out.printf(
                Locale.ROOT,
                "warm tiny tasks, auto batching (tasks/s)   | %14.0f     | %14.0f   | %.2f%n",
                procRate,
                threadRate,
                procRate / threadRate);
        // Each array variant runs in a fresh JVM, so garbage and mappings of one do not blur the memory of the next.
        System.out.println(inFreshJvm("array1", "THREADS"));
        for (ArrayKind kind : ArrayKind.values()) {
            System.out.println(inFreshJvm("array1", kind.name()));
        }
        Duration seq = DocExamples.memmapExample(Backend.sequential(), 1);
        Duration thr = DocExamples.memmapExample(Backend.threads(), 2);
        Duration proc = DocExamples.memmapExample(Backend.named("processes"), 2);
        System.out.printf(
                Locale.ROOT,
                "memmap example (96 windows, 10 ms each)    | %14.3f s   | %14.3f s | %.2f (sequential %.3f s)%n",
                secs(proc),
                secs(thr),
                secs(proc) / secs(thr),
                secs(seq));
        scaling();
    }

    static volatile double sink;

    /** {@code iterations} steps of floating-point work, the same every call. */
    static double burn(long iterations) {
        double x = 0;
        for (long i = 0; i < iterations; i++) {
            x += Math.sqrt(i + x * 1e-12);
        }
        return x;
    }

    /**
     * Scaling with nJobs: 100 CPU-bound tasks of about 20 ms (2 s of work) at nJobs 1, 2 and 4, on worker JVMs and
     * on threads; the speedup over a plain loop in this JVM measured just before (best of 3 each). Chart
     * {@code processes-scaling}.
     */
    static void scaling() {
        for (int i = 0; i < 20; i++) {
            sink = burn(200_000);
        }
        long t0 = System.nanoTime();
        sink = burn(2_000_000);
        long perMs = (long) (2_000_000 / ((System.nanoTime() - t0) / 1e6));
        List<Long> in = java.util.Collections.nCopies(100, perMs * 20);
        int[] jobs = {1, 2, 4};
        double[][] procs = new double[jobs.length][];
        double[][] threads = new double[jobs.length][];
        System.out.printf(
                Locale.ROOT,
                "%nscaling, 100 tasks of about 20 ms (%d CPUs): speedup over a loop measured just before each row"
                        + " (best of 3)%n",
                Runtime.getRuntime().availableProcessors());
        System.out.println("| nJobs | loop | processes | threads |");
        System.out.println("|---|---|---|---|");
        for (int j = 0; j < jobs.length; j++) {
            double loop = Double.MAX_VALUE;
            for (int r = 0; r < 3; r++) {
                long s = System.nanoTime();
                double acc = 0;
                for (Long it : in) {
                    acc += burn(it);
                }
                sink = acc;
                loop = Math.min(loop, (System.nanoTime() - s) / 1e9);
            }
            double p = bestMap(Backend.named("processes"), jobs[j], in);
            double t = bestMap(Backend.threads(), jobs[j], in);
            procs[j] = new double[] {jobs[j], loop / p};
            threads[j] = new double[] {jobs[j], loop / t};
            System.out.printf(Locale.ROOT, "| %d | %.3f s | %.2fx | %.2fx |%n", jobs[j], loop, loop / p, loop / t);
        }
        java.util.Map<String, double[][]> series = new java.util.LinkedHashMap<>();
        series.put("processes (worker JVMs)", procs);
        series.put("threads", threads);
        try {
            io.joblib4j.bench.Charts.lines(
                    "processes-scaling",
                    "100 CPU-bound tasks of 20 ms: speedup over a loop by nJobs ("
                            + Runtime.getRuntime().availableProcessors() + " CPUs)",
                    "nJobs",
                    "speedup",
                    series,
                    false);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static double bestMap(Backend backend, int nJobs, List<Long> in) {
        try (Parallel p = Parallel.builder().nJobs(nJobs).backend(backend).build()) {
            p.map(ProcessScenarios::burn, in.subList(0, nJobs * 2)); // workers up and compiled
            double best = Double.MAX_VALUE;
            for (int r = 0; r < 3; r++) {
                long s = System.nanoTime();
                List<Double> out = p.map(ProcessScenarios::burn, in);
                best = Math.min(best, (System.nanoTime() - s) / 1e9);
                if (out.size() != in.size()) {
                    throw new IllegalStateException("lost results");
                }
            }
            return best;
        }
    }

    private static String inFreshJvm(String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                ProcessScenarios.class.getName()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor();
            return out;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** One line of the array table, measured in this JVM. */
    private static void arrayLine(String kind) {
        int n = 25_000_000;
        double arrayBytes = 8.0 * n;
        SharedArrayResult r = kind.equals("THREADS")
                ? sharedArrayThreads(n, 20, 2)
                : sharedArray(n, 20, 2, ArrayKind.valueOf(kind), true);
        System.out.printf(
                Locale.ROOT,
                "200 MB %-14s x 20 tasks, %-9s | time %.3f s, overhead %.3f s, added peak PSS %s (%.0f%% of the array)%n",
                kind.equals("THREADS") ? "double[]" : kind,
                kind.equals("THREADS") ? "threads" : "processes",
                secs(r.time()),
                secs(r.overhead()),
                PeakMemory.mb(r.addedPeak()),
                100 * r.addedPeak() / arrayBytes);
    }

    private static void runSome(java.util.Set<String> only) {
        if (only.contains("array1")) {
            for (String a : only) {
                if (!a.equals("array1")) {
                    arrayLine(a);
                }
            }
            return;
        }
        if (only.contains("scaling")) {
            scaling();
        }
        if (only.contains("cold")) {
            System.out.println("cold first result: " + secs(coldStartFirstResult(2)) + " s");
        }
        if (only.contains("cds")) {
            // "-Xshare:auto" alone: the JDK's default archive only (the pool then writes and uses no archive of its
            // own); alternating with the default (the per-user application archive, written by the first pool)
            coldStartFirstResult(2);
            List<Double> without = new ArrayList<>();
            List<Double> with = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                without.add(secs(coldStartFirstResult(2, "-Xshare:auto")));
                with.add(secs(coldStartFirstResult(2)));
            }
            java.util.Collections.sort(without);
            java.util.Collections.sort(with);
            System.out.printf(
                    Locale.ROOT,
                    "cold first result, median of 7: JDK archive only %.3f s (best %.3f), with the application archive"
                            + " %.3f s (best %.3f)%n",
                    without.get(3),
                    without.getFirst(),
                    with.get(3),
                    with.getFirst());
        }
        if (only.contains("memmap")) {
            try (ProcessPool pool = ProcessPool.builder().build()) {
                DocExamples.Measured proc = DocExamples.memmapExample(pool.backend(), 2, pool);
                DocExamples.Measured thr = DocExamples.memmapExample(Backend.threads(), 2, null);
                DocExamples.Measured seq = DocExamples.memmapExample(Backend.sequential(), 1, null);
                System.out.printf(
                        Locale.ROOT,
                        "memmap: processes %.3f s (%s) threads %.3f s (%s) sequential %.3f s (%s)%n",
                        secs(proc.time()),
                        PeakMemory.mb(proc.addedPeak()),
                        secs(thr.time()),
                        PeakMemory.mb(thr.addedPeak()),
                        secs(seq.time()),
                        PeakMemory.mb(seq.addedPeak()));
            }
        }
        if (only.contains("calls")) {
            System.out.printf(
                    Locale.ROOT,
                    "small calls on a warm pool: processes %.2f ms/call, threads %.2f ms/call%n",
                    smallCallMillis(Backend.named("processes")),
                    smallCallMillis(Backend.threads()));
        }
        if (only.contains("tiny")) {
            System.out.printf(
                    Locale.ROOT,
                    "tiny tasks/s: processes %.0f%n",
                    tinyTaskThroughput(Backend.named("processes"), 2, 2_000_000));
        }
        if (only.contains("array")) {
            for (ArrayKind kind : ArrayKind.values()) {
                SharedArrayResult r = sharedArray(25_000_000, 20, 2, kind, true);
                System.out.println(
                        kind + ": " + r + " overhead " + r.overhead() + " added " + PeakMemory.mb(r.addedPeak()));
            }
        }
    }

    static double secs(Duration d) {
        return d.toNanos() / 1e9;
    }

    /** From building a new pool of {@code nJobs} workers to the first result of a call on it. */
    public static Duration coldStartFirstResult(int nJobs) {
        return coldStartFirstResult(nJobs, new String[0]);
    }

    /** As {@link #coldStartFirstResult(int)}, the workers started with {@code jvmOptions}. */
    public static Duration coldStartFirstResult(int nJobs, String... jvmOptions) {
        try (ProcessPool pool = ProcessPool.builder().jvmOptions(jvmOptions).build()) {
            long start = System.nanoTime();
            try (Parallel p = Parallel.builder()
                            .nJobs(nJobs)
                            .backend(pool.backend())
                            .build();
                    Stream<Integer> s = p.stream(
                            ProcessScenarios::square,
                            IntStream.range(0, 100).boxed().toList())) {
                Iterator<Integer> it = s.iterator();
                it.next();
                Duration first = Duration.ofNanos(System.nanoTime() - start);
                while (it.hasNext()) {
                    it.next();
                }
                return first;
            }
        }
    }

    /**
     * Milliseconds per call of a new, never closed {@code Parallel} mapping 4 tiny tasks at nJobs=2 on a warm backend
     * (median of 5 rounds of 100 calls): the fixed cost of a call.
     */
    public static double smallCallMillis(Backend backend) {
        List<Double> rounds = new ArrayList<>();
        for (int round = 0; round < 6; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                Parallel.builder().nJobs(2).backend(backend).build().map(ProcessScenarios::square, List.of(1, 2, 3, 4));
            }
            if (round > 0) {
                rounds.add((System.nanoTime() - start) / 1e6 / 100);
            }
        }
        rounds.sort(null);
        return rounds.get(rounds.size() / 2);
    }

    static int square(int x) {
        return x * x;
    }

    static int identity(int x) {
        return x;
    }

    /** Tasks per second for {@code n} trivial tasks with auto batching on a warm backend (best of 3). */
    public static double tinyTaskThroughput(Backend backend, int nJobs, int n) {
        try (Parallel p = Parallel.builder().nJobs(nJobs).backend(backend).build()) {
            List<Integer> input = IntStream.range(0, n).boxed().toList();
            p.map(ProcessScenarios::identity, input.subList(0, n / 4)); // warm the workers and the batch size
            double best = 0;
            for (int round = 0; round < 3; round++) {
                long start = System.nanoTime();
                List<Integer> out = p.map(ProcessScenarios::identity, input);
                long nanos = System.nanoTime() - start;
                if (out.size() != n) {
                    throw new IllegalStateException("lost results");
                }
                best = Math.max(best, n / (nanos / 1e9));
            }
            return best;
        }
    }

    /** What the large-array scenario measured. */
    public record SharedArrayResult(Duration time, Duration work, long addedPeak) {
        /** The time beyond the tasks' own work spread over the workers. */
        public Duration overhead() {
            return time.minus(work);
        }
    }

    /** How the large array of the shared-array scenario is held. */
    public enum ArrayKind {
        /** A {@code double[]}: workers read it from the shared file onto their heap, once per call each. */
        JAVA_ARRAY,
        /** An {@code NdArray} on the heap: written once to the shared file, mapped by the workers. */
        HEAP_NDARRAY,
        /** An {@code NdArray} already mapped from a file (.npy): passed by reference, mapped by the workers. */
        MAPPED_NDARRAY
    }

    /**
     * An array of {@code length} doubles (8 bytes each) captured by {@code tasks} tasks on {@code nJobs} warm
     * workers of the shared pool; {@code share} false sends it through the channel with every batch instead
     * (maxNbytes null). Memory is the peak of the summed PSS of the parent and the workers over the call, minus
     * the sum before it.
     */
    public static SharedArrayResult sharedArray(int length, int tasks, int nJobs, ArrayKind kind, boolean share) {
        if (length > 1_000_000) {
            for (int warm = 0; warm < 3; warm++) { // same code paths, small array: JIT-compiled in every JVM
                sharedArray(1_000_000, tasks, nJobs, kind, share);
            }
        }
        double[] data = null;
        NdArray nd = null;
        Path npy = null;
        try {
            switch (kind) {
                case JAVA_ARRAY -> {
                    data = new double[length];
                    java.util.Arrays.fill(data, 1.0);
                }
                case HEAP_NDARRAY -> {
                    data = new double[length];
                    java.util.Arrays.fill(data, 1.0);
                    nd = NdArray.wrap(data);
                }
                case MAPPED_NDARRAY -> {
                    npy = Files.createTempFile(
                            Path.of("/dev/shm").toFile().canWrite()
                                    ? Path.of("/dev/shm")
                                    : Path.of(System.getProperty("java.io.tmpdir")),
                            "bench-",
                            ".npy");
                    double[] ones = new double[length];
                    java.util.Arrays.fill(ones, 1.0);
                    Npy.save(npy, NdArray.wrap(ones));
                    ones = null;
                    nd = Npy.map(npy, MmapMode.READ_ONLY);
                }
            }
            final double[] array = data;
            final NdArray ndArray = nd;
            Duration work = kind == ArrayKind.JAVA_ARRAY
                    ? ownWork(t -> DocExamples.sliceSum(array, t, tasks), tasks, nJobs)
                    : ownWork(t -> DocExamples.sliceSum(ndArray, t, tasks), tasks, nJobs);
            ProcessPool pool = ProcessPool.shared();
            Parallel.Builder b = Parallel.builder().nJobs(nJobs).backend(pool.backend());
            if (!share) {
                b.maxNbytes(null);
            }
            try (Parallel p = b.build()) {
                p.map(
                        ProcessScenarios::identity,
                        IntStream.range(0, 2 * nJobs).boxed().toList()); // workers up
                System.gc();
                java.util.function.Supplier<java.util.Collection<Long>> pids = () -> {
                    List<Long> all = new ArrayList<>(pool.workerPids());
                    all.add(ProcessHandle.current().pid());
                    return all;
                };
                long before = PeakMemory.pss(pids.get());
                List<Integer> indices = IntStream.range(0, tasks).boxed().toList();
                List<Double> sums;
                long start = System.nanoTime();
                try (PeakMemory.PeakSampler sampler = new PeakMemory.PeakSampler(pids)) {
                    sums = kind == ArrayKind.JAVA_ARRAY
                            ? p.map(t -> DocExamples.sliceSum(array, t, tasks), indices)
                            : p.map(t -> DocExamples.sliceSum(ndArray, t, tasks), indices);
                    Duration time = Duration.ofNanos(System.nanoTime() - start);
                    long peak = sampler.peak();
                    if (sums.stream().mapToDouble(Double::doubleValue).sum() != (double) ((length / tasks) * tasks)) {
                        throw new IllegalStateException("wrong sums");
                    }
                    return new SharedArrayResult(time, work, peak - before);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            if (npy != null) {
                try {
                    Files.deleteIfExists(npy);
                } catch (java.io.IOException ignored) {
                    // temp file
                }
            }
        }
    }

    /** The large-array scenario on threads. */
    public static SharedArrayResult sharedArrayThreads(int length, int tasks, int nJobs) {
        if (length > 1_000_000) {
            for (int warm = 0; warm < 3; warm++) {
                sharedArrayThreads(1_000_000, tasks, nJobs);
            }
        }
        double[] data = new double[length];
        java.util.Arrays.fill(data, 1.0);
        Duration work = ownWork(t -> DocExamples.sliceSum(data, t, tasks), tasks, nJobs);
        try (Parallel p = Parallel.builder().nJobs(nJobs).backend("threads").build()) {
            p.map(ProcessScenarios::identity, List.of(1, 2));
            long pid = ProcessHandle.current().pid();
            System.gc();
            long before = PeakMemory.pss(pid);
            long start = System.nanoTime();
            try (PeakMemory.PeakSampler sampler = new PeakMemory.PeakSampler(() -> List.of(pid))) {
                p.map(
                        t -> DocExamples.sliceSum(data, t, tasks),
                        IntStream.range(0, tasks).boxed().toList());
                Duration time = Duration.ofNanos(System.nanoTime() - start);
                return new SharedArrayResult(time, work, sampler.peak() - before);
            }
        }
    }

    /** The tasks' own work: all slices summed in this thread, divided by the worker count. */
    private static Duration ownWork(java.util.function.IntToDoubleFunction task, int tasks, int nJobs) {
        double warmed = 0;
        for (int warm = 0; warm < 3; warm++) {
            warmed += task.applyAsDouble(warm % tasks);
        }
        if (Double.isNaN(warmed)) {
            throw new IllegalStateException("NaN from a task");
        }
        long start = System.nanoTime();
        double s = 0;
        for (int t = 0; t < tasks; t++) {
            s += task.applyAsDouble(t);
        }
        if (s < 0) {
            throw new IllegalStateException();
        }
        return Duration.ofNanos((System.nanoTime() - start) / nJobs);
    }
}
