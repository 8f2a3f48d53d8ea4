package io.joblib4j.cli.demo;

import io.joblib4j.SerializableFunction;
import io.joblib4j.memory.CachedBiFunction;
import io.joblib4j.memory.CachedFunction;
import io.joblib4j.memory.CachedResult;
import io.joblib4j.memory.Memory;
import io.joblib4j.parallel.Parallel;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The Memory examples of joblib's documentation on joblib4j: {@code f(x)} printing "Running f(x)" only when it
 * really runs; the {@code hamming}/{@code vander} pair; and {@code costly_compute} (1 s per column of a 1000x4
 * table) cached and called through {@code Parallel} with two workers, a first round that computes and a second that
 * reads the cache.
 */
public final class MemoryDemo implements DemoSection {
    private final PrintStream out;

    public MemoryDemo() {
        this(System.out);
    }

    MemoryDemo(PrintStream out) {
        this.out = out;
    }

    @Override
    public String title() {
        return "Memory";
    }

    // ---------------------------------------------------------------- the documents' functions

    static int f(int x) {
        System.out.println("Running f(" + x + ")");
        return x;
    }

    /** NumPy's {@code hamming(m)}: the Hamming window of {@code m} points. */
    static double[] g(int m) {
        System.out.println("A long-running calculation, with parameter " + m);
        double[] w = new double[m];
        for (int n = 0; n < m; n++) {
            w[n] = m == 1 ? 1.0 : 0.54 - 0.46 * Math.cos(2 * Math.PI * n / (m - 1));
        }
        return w;
    }

    /** NumPy's {@code vander(x)}: the Vandermonde matrix, decreasing powers. */
    static double[][] h(double[] x) {
        System.out.println("A second long-running calculation, using g(x)");
        int n = x.length;
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                v[i][j] = Math.pow(x[i], n - 1 - j);
            }
        }
        return v;
    }

    /** joblib's {@code costly_compute}: one column of the table, after a second of "work". */
    static double[] costlyCompute(double[][] data, int column) {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        double[] col = new double[data.length];
        for (int i = 0; i < data.length; i++) {
            col[i] = data[i][column];
        }
        return col;
    }

    static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    // ---------------------------------------------------------------- the demo

    @Override
    public void run(DemoReport report) throws Exception {
        report.section(title());
        Path location = Files.createTempDirectory("joblib4j-memory-demo");
        try {
            runIn(location, report);
        } finally {
            deleteTree(location);
        }
    }

    void runIn(Path location, DemoReport report) {
        Memory memory = Memory.builder().location(location).verbose(0).build();

        CachedFunction<Integer, Integer> cf = memory.cache(MemoryDemo::f);
        CachedFunction<Integer, double[]> cg = memory.cache(MemoryDemo::g);
        CachedFunction<double[], double[][]> ch = memory.cache(MemoryDemo::h);
        try {
            // The first use of each function reads its bytecode (the code version in the key), and the first store
            // starts the serializer: a second or two, shown as a step of its own rather than inside f(1).
            Step.Timed<Boolean> setUp =
                    Step.run(out, "first use: hashing the code of f, g and h, starting the serializer", null, () -> {
                        io.joblib4j.persist.Persistence.warmUp();
                        boolean f = cf.isCached(0);
                        boolean g = cg.isCached(0);
                        boolean h = ch.isCached(new double[0]);
                        return f || g || h;
                    });
            report.row(
                    "code versions of f, g, h + serializer",
                    "first use in this JVM",
                    setUp.time(),
                    "done once per JVM");
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }

        out.println(">>> f = memory.cache(MemoryDemo::f)");
        long t0 = System.nanoTime();
        out.println(">>> f(1)");
        out.println(cf.apply(1));
        out.println(">>> f(1)");
        out.println(cf.apply(1));
        out.println(">>> f(2)");
        out.println(cf.apply(2));
        report.row(
                "f(1), f(1), f(2)",
                "cached",
                Duration.ofNanos(System.nanoTime() - t0),
                "\"Running f(1)\" once, \"Running f(2)\" once");

        out.println(">>> a = g(3)");
        t0 = System.nanoTime();
        double[] a = cg.apply(3);
        out.println(Arrays.toString(round(a)));
        out.println(">>> g(3)");
        out.println(Arrays.toString(round(cg.apply(3))));
        out.println(">>> b = h(a)");
        double[][] b = ch.apply(a);
        out.println(">>> b2 = h(a)      # from the cache: h does not run");
        double[][] b2 = ch.apply(a);
        out.println(">>> b2");
        for (double[] row : b2) {
            out.println("  " + Arrays.toString(round(row)));
        }
        boolean allClose = Arrays.deepEquals(b, b2);
        out.println(">>> np.allclose(b, b2)\n" + (allClose ? "True" : "False"));
        report.row(
                "hamming g(3) / vander h(a)",
                "cached",
                Duration.ofNanos(System.nanoTime() - t0),
                "g and h each ran once; b == b2: " + allClose);

        // call_and_shelve: the result stays in the store; the reference reads it on get()
        t0 = System.nanoTime();
        out.println(">>> result = g.call_and_shelve(4)");
        CachedResult<double[]> result = cg.callAndShelve(4);
        out.println(">>> result\n" + result);
        out.println(">>> result.get()\n" + Arrays.toString(round(result.get())));
        out.println(">>> result.clear()");
        result.clear();
        out.println(">>> result.get()");
        String afterClear;
        try {
            result.get();
            afterClear = "still there";
        } catch (UncheckedIOException e) {
            afterClear = e.getMessage();
        }
        out.println(afterClear.startsWith("the cached result") ? "error: " + afterClear : afterClear);
        report.row(
                "g.callAndShelve(4), get, clear",
                "cached",
                Duration.ofNanos(System.nanoTime() - t0),
                "get() read it from the store; after clear() get() fails");

        double[][] data = new double[1000][4];
        Random rng = new Random(42);
        for (double[] row : data) {
            for (int j = 0; j < row.length; j++) {
                row[j] = rng.nextGaussian();
            }
        }
        CachedBiFunction<double[][], Integer, double[]> costly = memory.cache(MemoryDemo::costlyCompute);
        SerializableFunction<Integer, Double> meanOfColumn = col -> mean(costly.apply(data, col));
        List<Integer> columns = List.of(0, 1, 2, 3);
        List<Double> firstMeans = null;
        for (String round : List.of("first round (computes)", "second round (from cache)")) {
            String label = "costly_compute x4 columns, Parallel(nJobs=2), " + round;
            Step.Timed<List<Double>> t;
            try {
                t = Step.withBar(
                        out,
                        label,
                        round.startsWith("first") ? "about 2 s" : null,
                        () -> Parallel.builder()
                                .nJobs(2)
                                .progressBar(true)
                                .progressLabel(label)
                                .build()
                                .map(meanOfColumn, columns));
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            if (firstMeans == null) {
                firstMeans = t.value();
                out.println("    column means "
                        + t.value().stream()
                                .map(m -> String.format(Locale.ROOT, "%.4f", m))
                                .toList());
            } else {
                out.println("    same means as the first round: " + t.value().equals(firstMeans));
            }
            report.row(
                    "costly_compute x4 columns",
                    "Parallel(2), " + round,
                    t.time(),
                    round.startsWith("first") ? "joblib docs: 2.05 s" : "joblib docs: 0.02 s");
        }
    }

    private static double[] round(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = Math.round(v[i] * 1e4) / 1e4;
        }
        return r;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
