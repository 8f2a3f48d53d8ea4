package io.joblib4j.bench.parallel;

import static io.joblib4j.Joblib.delayed;

import io.joblib4j.bench.PythonPeer;
import io.joblib4j.bench.Table;
import io.joblib4j.cli.demo.HeapMeter;
import io.joblib4j.parallel.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Gatherers;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Whole-scenario benchmarks of {@code Parallel} on the in-process backends, against the JDK's own ways and, where
 * {@code python3 -c 'import joblib'} works, Python joblib on the same machine in the same run. Prints Markdown
 * tables for BENCHMARKS.md.
 *
 * <p>Run: {@code ./joblib4j bench parallel} (or {@code java -cp ... io.joblib4j.bench.parallel.ParallelScenarios
 * [sleep] [tiny] [cpu] [memory]}).
 */
public final class ParallelScenarios {
    private ParallelScenarios() {}

    public static void main(String[] args) throws Exception {
        List<String> which = args.length == 0 ? List.of("sleep", "tiny", "cpu", "memory") : List.of(args);
        Optional<String> python = PythonPeer.python();
        System.out.println("# Parallel scenarios (" + Runtime.getRuntime().availableProcessors() + " CPUs, Java "
                + Runtime.version() + ", Python joblib: " + python.orElse("not found") + ")");
        // First, while the JVM is cold: the first call counts.
        if (which.contains("sleep")) {
            sleeps(python);
        }
        if (which.contains("tiny")) {
            tiny(python);
        }
        if (which.contains("cpu")) {
            cpu(python);
        }
        if (which.contains("memory")) {
            memory();
        }
    }

    static int sleepMillis(int ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ms;
    }

    // ---- ten 1 s sleeps at nJobs=8 ----------------------------------------------------------------------------

    static void sleeps(Optional<String> python) throws Exception {
        Table t = new Table("call", "joblib4j threads", "joblib4j virtual", "ideal", "Python joblib (loky)");
        List<Map<String, String>> py =
                python.isPresent() ? PythonPeer.run(python.get(), "parallel_peer.py", "sleep") : List.of();
        for (int call = 0; call < 2; call++) {
            List<Integer> ten = java.util.Collections.nCopies(10, 1000);
            double threads = seconds(() ->
                    Parallel.builder().nJobs(8).backend("threads").build().map(ParallelScenarios::sleepMillis, ten));
            double virtual = seconds(() ->
                    Parallel.builder().nJobs(8).backend("virtual").build().map(ParallelScenarios::sleepMillis, ten));
            String peer = py.size() > call ? fmt(Double.parseDouble(py.get(call).get("seconds"))) + " s" : "-";
            t.row(call == 0 ? "first (cold JVM)" : "second", fmt(threads) + " s", fmt(virtual) + " s", "2.000 s", peer);
        }
        System.out.println("\n## Ten 1 s sleeps, nJobs=8\n");
        t.print(System.out);
    }

    // ---- tiny tasks -------------------------------------------------------------------------------------------

    static void tiny(Optional<String> python) throws Exception {
        Table t = new Table(
                "inputs",
                "plain loop",
                "parallel stream",
                "invokeAll (2 threads)",
                "mapConcurrent(2)",
                "joblib4j threads nJobs=2",
                "joblib4j / loop",
                "joblib4j / parallel stream",
                "Python loky",
                "Python threading");
        List<Map<String, String>> py =
                python.isPresent() ? PythonPeer.run(python.get(), "parallel_peer.py", "tiny") : List.of();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        int[] sizes = {10_000, 100_000, 1_000_000, 10_000_000};
        Map<String, double[]> chart = new java.util.LinkedHashMap<>();
        for (String v : List.of(
                "plain loop",
                "parallel stream",
                "invokeAll (2 threads)",
                "mapConcurrent(2)",
                "joblib4j threads nJobs=2",
                "Python loky",
                "Python threading")) {
            double[] empty = new double[sizes.length];
            Arrays.fill(empty, Double.NaN);
            chart.put(v, empty);
        }
        try (Parallel p = Parallel.of(2)) {
            for (int si = 0; si < sizes.length; si++) {
                int n = sizes[si];
                List<Integer> in = IntStream.range(0, n).boxed().toList();
                // Repetitions so that every variant is JIT-compiled before its best time counts (about 2 s each).
                int reps = Math.max(5, 20_000_000 / n);
                double loop = best(reps, () -> {
                    List<Double> out = new ArrayList<>(n);
                    for (Integer x : in) {
                        out.add(Math.sqrt(x));
                    }
                    return out;
                });
                double ps = best(
                        reps, () -> in.parallelStream().map(x -> Math.sqrt(x)).toList());
                double inv = n > 1_000_000
                        ? Double.NaN
                        : best(Math.min(reps, 20), () -> {
                            List<Callable<Double>> calls = new ArrayList<>(n);
                            for (Integer x : in) {
                                calls.add(() -> Math.sqrt(x));
                            }
                            List<Double> out = new ArrayList<>(n);
                            for (Future<Double> f : pool.invokeAll(calls)) {
                                out.add(f.get());
                            }
                            return out;
                        });
                double mc = n > 100_000
                        ? Double.NaN
                        : best(
                                Math.min(reps, 20),
                                () -> in.stream()
                                        .gather(Gatherers.mapConcurrent(2, x -> Math.sqrt(x)))
                                        .toList());
                double jl = best(reps, () -> p.map(x -> Math.sqrt(x), in));
                double[] secs = {loop, ps, inv, mc, jl, peerSeconds(py, "loky", n), peerSeconds(py, "threading", n)};
                int vi = 0;
                for (double[] series : chart.values()) {
                    series[si] = n / secs[vi++] / 1e6;
                }
                t.row(
                        n,
                        rate(n, loop),
                        rate(n, ps),
                        rate(n, inv),
                        rate(n, mc),
                        rate(n, jl),
                        String.format(Locale.ROOT, "%.2fx", loop / jl),
                        String.format(Locale.ROOT, "%.2fx", ps / jl),
                        peerRate(py, "loky", n),
                        peerRate(py, "threading", n));
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.println("\n## Tiny tasks (Math.sqrt), million tasks per second (best of 5 to 2000 repetitions, "
                + "about 2 s per variant, so each is JIT-compiled)\n");
        t.print(System.out);
        io.joblib4j.bench.Charts.bars(
                "parallel-tiny",
                "Tiny tasks (Math.sqrt), nJobs=2: million tasks per second (log scale)",
                "million tasks / s",
                Arrays.stream(sizes)
                        .mapToObj(n -> String.format(Locale.ROOT, "%,d tasks", n))
                        .toList(),
                chart,
                true);
    }

    private static double peerSeconds(List<Map<String, String>> py, String variant, int n) {
        for (Map<String, String> r : py) {
            if (variant.equals(r.get("variant")) && Integer.toString(n).equals(r.get("n"))) {
                return Double.parseDouble(r.get("seconds"));
            }
        }
        return Double.NaN;
    }

    private static String peerRate(List<Map<String, String>> py, String variant, int n) {
        for (Map<String, String> r : py) {
            if (variant.equals(r.get("variant")) && Integer.toString(n).equals(r.get("n"))) {
                return rate(n, Double.parseDouble(r.get("seconds")));
            }
        }
        return "-";
    }

    // ---- CPU-bound tasks --------------------------------------------------------------------------------------

    static volatile double sink;

    /** About {@code micros} microseconds of floating-point work, the same every call. */
    static double burn(long iterations) {
        double x = 0;
        for (long i = 0; i < iterations; i++) {
            x += Math.sqrt(i + x * 1e-12);
        }
        return x;
    }

    static void cpu(Optional<String> python) throws Exception {
        // Calibrate: iterations per millisecond, on a warm JIT.
        for (int i = 0; i < 20; i++) {
            sink = burn(200_000);
        }
        long start = System.nanoTime();
        sink = burn(2_000_000);
        long perMs = (long) (2_000_000 / ((System.nanoTime() - start) / 1e6));
        Table t = new Table(
                "task",
                "tasks",
                "sequential",
                "parallel stream",
                "joblib4j threads nJobs=2",
                "joblib4j virtual nJobs=2",
                "speedup (threads)",
                "Python loky speedup");
        List<Map<String, String>> py =
                python.isPresent() ? PythonPeer.run(python.get(), "parallel_peer.py", "cpu") : List.of();
        try (Parallel threads = Parallel.of(2);
                Parallel virtual =
                        Parallel.builder().backend("virtual").nJobs(2).build()) {
            for (int ms : new int[] {1, 10, 100}) {
                int n = Math.max(20, 2000 / ms);
                long iters = perMs * ms;
                List<Long> in = java.util.Collections.nCopies(n, iters);
                double seq = best(3, () -> {
                    double acc = 0;
                    for (Long it : in) {
                        acc += burn(it);
                    }
                    return acc;
                });
                double ps = best(
                        3,
                        () -> in.parallelStream()
                                .mapToDouble(ParallelScenarios::burn)
                                .sum());
                double jt = best(3, () -> threads.map(ParallelScenarios::burn, in));
                double jv = best(3, () -> virtual.map(ParallelScenarios::burn, in));
                String peer = "-";
                for (Map<String, String> r : py) {
                    if (Integer.toString(ms).equals(r.get("ms"))) {
                        peer = String.format(
                                Locale.ROOT,
                                "%.2fx",
                                Double.parseDouble(r.get("sequential")) / Double.parseDouble(r.get("seconds")));
                    }
                }
                t.row(
                        ms + " ms",
                        n,
                        fmt(seq) + " s",
                        fmt(ps) + " s",
                        fmt(jt) + " s",
                        fmt(jv) + " s",
                        String.format(Locale.ROOT, "%.2fx", seq / jt),
                        peer);
            }
        }
        System.out.println("\n## CPU-bound tasks, 2 s of work in total (best of 3)\n");
        t.print(System.out);
    }

    // ---- stream memory ----------------------------------------------------------------------------------------

    static double[] bigResult(int i) {
        sleepMillis(100);
        double[] m = new double[10_000 * 200];
        Arrays.fill(m, i);
        return m;
    }

    static void memory() throws Exception {
        Table t = new Table(
                "return as", "time", "peak live heap growth", "in results of 16 MB", "bound (preDispatch + nJobs + 1)");
        Map<String, double[][]> overTime = new java.util.LinkedHashMap<>();
        for (String mode : List.of("list", "stream", "streamUnordered")) {
            try (Parallel p = Parallel.of(2);
                    HeapMeter meter = HeapMeter.start()) {
                long start = System.nanoTime();
                Stream<io.joblib4j.Task<double[]>> tasks =
                        IntStream.range(0, 150).mapToObj(i -> delayed(ParallelScenarios::bigResult, i));
                double[] acc = new double[10_000 * 200];
                Stream<double[]> results = switch (mode) {
                    case "list" -> p.run(tasks).stream();
                    case "stream" -> p.stream(tasks);
                    default -> p.streamUnordered(tasks);
                };
                try (results) {
                    results.forEach(a -> {
                        for (int k = 0; k < acc.length; k++) {
                            acc[k] += a[k];
                        }
                    });
                }
                double s = (System.nanoTime() - start) / 1e9;
                long growth = meter.peakGrowth();
                double[][] samples = meter.peakSoFar();
                for (double[] sample : samples) {
                    sample[1] /= 1e6;
                }
                overTime.put(mode.equals("list") ? "run (list)" : mode + "()", samples);
                t.row(
                        mode,
                        fmt(s) + " s",
                        HeapMeter.format(growth),
                        String.format(Locale.ROOT, "%.1f", growth / 16e6),
                        "7 (4 + 2 + 1)");
            }
        }
        System.out.println("\n## 150 results of 10000x200 doubles (16 MB each, 0.1 s each), nJobs=2\n");
        t.print(System.out);
        io.joblib4j.bench.Charts.lines(
                "parallel-memory-over-time",
                "150 results of 16 MB, nJobs=2: peak live heap growth so far (log scale)",
                "seconds",
                "MB",
                overTime,
                true);

        long n = Long.getLong("joblib4j.bench.streamItems", 100_000_000L);
        Table big = new Table("items (lazily generated)", "time", "rate", "peak live heap growth");
        try (Parallel p = Parallel.of(2);
                HeapMeter meter = HeapMeter.start()) {
            long start = System.nanoTime();
            long sum;
            try (Stream<Long> s = p.stream(
                    ParallelScenarios::square,
                    java.util.stream.LongStream.range(0, n).boxed())) {
                sum = s.mapToLong(Long::longValue).sum();
            }
            double secs = (System.nanoTime() - start) / 1e9;
            sink = sum;
            big.row(
                    n,
                    fmt(secs) + " s",
                    String.format(Locale.ROOT, "%.2f M/s", n / secs / 1e6),
                    HeapMeter.format(meter.peakGrowth()));
        }
        System.out.println("\n## stream() over a lazily generated input, nJobs=2\n");
        big.print(System.out);
    }

    static long square(long x) {
        return x * x;
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    interface Body {
        Object run() throws Exception;
    }

    static double seconds(Body body) throws Exception {
        long start = System.nanoTime();
        sink = body.run().hashCode();
        return (System.nanoTime() - start) / 1e9;
    }

    static double best(int times, Body body) throws Exception {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < times; i++) {
            best = Math.min(best, seconds(body));
        }
        return best;
    }

    static String rate(int n, double seconds) {
        return Double.isNaN(seconds) ? "-" : String.format(Locale.ROOT, "%.2f M/s", n / seconds / 1e6);
    }

    static String fmt(double seconds) {
        return String.format(Locale.ROOT, "%.3f", seconds);
    }
}
