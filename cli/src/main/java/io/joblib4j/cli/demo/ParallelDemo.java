package io.joblib4j.cli.demo;

import static io.joblib4j.Joblib.delayed;

import io.joblib4j.Task;
import io.joblib4j.parallel.Parallel;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/** The Parallel examples of joblib's documentation, on joblib4j's in-process backends. */
public final class ParallelDemo implements DemoSection {
    /** The name of the memory chart of the return-as-list vs stream example ({@code --report DIR}). */
    public static final String MEMORY_CHART = "demo-parallel-memory";

    @Override
    public String title() {
        return "Parallel";
    }

    static double sqrt(int i) {
        return Math.sqrt((double) i * i);
    }

    static int sleepOneSecond(int i) {
        sleep(1000);
        return i;
    }

    static double computeHeavyTask(double[] data) {
        sleep(1000);
        return Arrays.stream(data).average().orElse(Double.NaN);
    }

    /**
     * joblib's {@code return_big_object}: 0.1 s of work, then {@code i * np.ones((10000, 200))}, a 10000 x 200
     * matrix in one contiguous C-order array, as NumPy holds it.
     */
    static double[] returnBigObject(int i) {
        sleep(100);
        double[] matrix = new double[10_000 * 200];
        Arrays.fill(matrix, i);
        return matrix;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void run(DemoReport report) throws Exception {
        // Parallel(n_jobs=2)(delayed(sqrt)(i ** 2) for i in range(10))
        timed(
                report,
                "sqrt(i*i), i in 0..9",
                "threads, nJobs=2",
                null,
                () -> Parallel.of(2).run(IntStream.range(0, 10).mapToObj(i -> delayed(ParallelDemo::sqrt, i))),
                r -> r.toString());

        // Ten 1-second sleeps: sequentially, then on 8 threads, 8 virtual threads and 3 threads.
        List<Integer> ten = IntStream.range(0, 10).boxed().toList();
        for (String[] v : new String[][] {
            {"sequential", "1", "sequential", "about 10 s"},
            {"threads, nJobs=8", "8", "threads", "about 2 s"},
            {"virtual, nJobs=8", "8", "virtual", "about 2 s"},
            {"threads, nJobs=3", "3", "threads", "about 4 s"}
        }) {
            String label = "10 x sleep(1 s), " + v[0];
            timed(
                    report,
                    "10 x sleep(1 s)",
                    v[0],
                    v[3],
                    () -> bar(Integer.parseInt(v[1]), v[2], label).map(ParallelDemo::sleepOneSecond, ten),
                    r -> "results " + r);
        }

        // compute_heavy_task: 10 vectors of 1000 doubles, 1 s each, n_jobs=8
        Random random = new Random(42);
        List<double[]> vectors = IntStream.range(0, 10)
                .mapToObj(i -> random.doubles(1000).toArray())
                .toList();
        timed(
                report,
                "compute_heavy_task, 10 x 1000 doubles",
                "threads, nJobs=8",
                "about 2 s",
                () -> bar(8, "threads", "compute_heavy_task, threads, nJobs=8")
                        .map(ParallelDemo::computeHeavyTask, vectors),
                r -> "means "
                        + r.stream()
                                .map(d -> String.format(java.util.Locale.ROOT, "%.3f", d))
                                .toList());

        // 150 results of 10000 x 200 doubles (0.1 s each) as a list, an ordered stream and a completion-order stream.
        bigResults(report, "list", p -> sumAll(p.run(bigTasks()).stream()));
        bigResults(report, "stream()", p -> {
            try (Stream<double[]> s = p.stream(bigTasks())) {
                return sumAll(s);
            }
        });
        bigResults(report, "streamUnordered()", p -> {
            try (Stream<double[]> s = p.streamUnordered(bigTasks())) {
                return sumAll(s);
            }
        });
    }

    private static Parallel bar(int nJobs, String backend, String label) {
        return Parallel.builder()
                .nJobs(nJobs)
                .backend(backend)
                .progressBar(true)
                .progressLabel(label)
                .build();
    }

    private static Stream<Task<double[]>> bigTasks() {
        return IntStream.range(0, 150).mapToObj(i -> delayed(ParallelDemo::returnBigObject, i));
    }

    /** joblib's {@code accumulator_sum}: adds the arrays up, element by element. */
    private static double sumAll(Stream<double[]> results) {
        double[] acc = new double[10_000 * 200];
        results.forEach(a -> {
            for (int k = 0; k < acc.length; k++) {
                acc[k] += a[k];
            }
        });
        return acc[0];
    }

    interface Body {
        double apply(Parallel p) throws Exception;
    }

    private static void bigResults(DemoReport report, String variant, Body body) throws Exception {
        String label = "150 x 10000x200 doubles as " + variant + ", nJobs=2";
        try (Parallel p = Parallel.builder()
                        .nJobs(2)
                        .progressBar(true)
                        .progressLabel(label)
                        .build();
                HeapMeter meter = HeapMeter.start()) {
            Step.Timed<Double> t = Step.withBar(System.out, label, null, () -> body.apply(p));
            long growth = meter.peakGrowth();
            report.memoryChart(
                            MEMORY_CHART,
                            "150 results of 16 MB, nJobs=2, accumulated one by one: memory over time",
                            "peak live heap growth so far")
                    .add(variant.equals("list") ? "run (list)" : variant, meter.peakSoFar());
            report.row(
                    "150 x 10000x200 doubles, accumulated",
                    variant + ", nJobs=2",
                    t.time(),
                    "sum[0][0] = " + t.value().longValue() + ", peak heap growth " + HeapMeter.format(growth));
        }
    }

    interface Describer<T> {
        String describe(T value);
    }

    private static <T> T timed(
            DemoReport report, String example, String variant, String expected, Callable<T> body, Describer<T> note)
            throws Exception {
        Step.Timed<T> t = Step.withBar(System.out, example + ", " + variant, expected, body);
        report.row(example, variant, t.time(), note.describe(t.value()));
        return t.value();
    }
}
