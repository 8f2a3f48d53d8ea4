package io.joblib4j.cli.demo;

import static io.joblib4j.Joblib.delayed;

import io.joblib4j.Task;
import io.joblib4j.bench.HeapMeter;
import io.joblib4j.parallel.Parallel;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/** The Parallel examples of joblib's documentation, on joblib4j's in-process backends. */
public final class ParallelDemo implements DemoSection {

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
        List<Double> roots = timed(report, "sqrt(i*i), i in 0..9", "threads, nJobs=2",
                () -> Parallel.of(2).run(IntStream.range(0, 10).mapToObj(i -> delayed(ParallelDemo::sqrt, i))),
                r -> r.toString());
        System.out.println("sqrt(i*i) for i in 0..9 = " + roots);

        // Ten 1-second sleeps: sequentially, then on 8 threads, 8 virtual threads and 3 threads.
        List<Integer> ten = IntStream.range(0, 10).boxed().toList();
        timed(report, "10 x sleep(1 s)", "sequential", () -> Parallel.of(1).map(ParallelDemo::sleepOneSecond, ten), r -> "10 results");
        timed(report, "10 x sleep(1 s)", "threads, nJobs=8", () -> bar(8, "threads").map(ParallelDemo::sleepOneSecond, ten), r -> "10 results");
        timed(report, "10 x sleep(1 s)", "virtual, nJobs=8", () -> bar(8, "virtual").map(ParallelDemo::sleepOneSecond, ten), r -> "10 results");
        timed(report, "10 x sleep(1 s)", "threads, nJobs=3", () -> bar(3, "threads").map(ParallelDemo::sleepOneSecond, ten), r -> "10 results");

        // compute_heavy_task: 10 vectors of 1000 doubles, 1 s each, n_jobs=8
        Random random = new Random(42);
        List<double[]> vectors = IntStream.range(0, 10).mapToObj(i -> random.doubles(1000).toArray()).toList();
        List<Double> means = timed(report, "compute_heavy_task, 10 x 1000 doubles", "threads, nJobs=8",
                () -> bar(8, "threads").map(ParallelDemo::computeHeavyTask, vectors),
                r -> String.format(java.util.Locale.ROOT, "mean of means %.4f", r.stream().mapToDouble(d -> d).average().orElseThrow()));
        System.out.println("compute_heavy_task means: " + means.size() + " values");

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

    private static Parallel bar(int nJobs, String backend) {
        return Parallel.builder().nJobs(nJobs).backend(backend).progressBar(true).build();
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
        try (Parallel p = Parallel.builder().nJobs(2).progressBar(true).build();
             HeapMeter meter = HeapMeter.start()) {
            long start = System.nanoTime();
            double first = body.apply(p);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            long growth = meter.peakGrowth();
            report.row("150 x 10000x200 doubles, accumulated", variant + ", nJobs=2", took,
                    "sum[0][0] = " + (long) first + ", peak heap growth " + HeapMeter.format(growth));
        }
    }

    interface Describer<T> {
        String describe(T value);
    }

    private static <T> T timed(DemoReport report, String example, String variant, Callable<T> body, Describer<T> note)
            throws Exception {
        long start = System.nanoTime();
        T value = body.call();
        report.row(example, variant, Duration.ofNanos(System.nanoTime() - start), note.describe(value));
        return value;
    }
}
