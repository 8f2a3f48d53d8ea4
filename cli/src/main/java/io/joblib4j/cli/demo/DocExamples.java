package io.joblib4j.cli.demo;

import io.joblib4j.array.NdArray;
import io.joblib4j.backend.Backend;
import io.joblib4j.parallel.Parallel;
import io.joblib4j.process.ProcessPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The documents' examples that the demo shows and the benchmarks measure: joblib's memmap example and the "big
 * object sent to every task" pitfall, each timed with the added peak memory of the parent and its workers.
 */
public final class DocExamples {
    private DocExamples() {}

    /** The identity on ints: a task that only warms workers up. */
    public static int identity(int x) {
        return x;
    }

    /** The sum of slice {@code task} of {@code tasks} equal slices of {@code data} (the remainder left out). */
    public static double sliceSum(double[] data, int task, int tasks) {
        int chunk = data.length / tasks;
        double s = 0;
        for (int i = task * chunk; i < (task + 1) * chunk; i++) {
            s += data[i];
        }
        return s;
    }

    /** The sum of slice {@code task} of {@code tasks} equal slices of {@code data} (a one-dimensional float64 array). */
    public static double sliceSum(NdArray data, int task, int tasks) {
        long chunk = data.size() / tasks;
        java.lang.foreign.MemorySegment seg = data.segment();
        double s = 0;
        for (long i = task * chunk; i < (task + 1) * chunk; i++) {
            s += seg.getAtIndex(java.lang.foreign.ValueLayout.JAVA_DOUBLE, i);
        }
        return s;
    }

    /** The mean of one window, after sleeping 10 ms (the documents' memmap example). */
    public static double windowMean(NdArray data, int start, int size) {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        java.lang.foreign.MemorySegment seg = data.segment();
        double s = 0;
        for (int i = start; i < start + size; i++) {
            s += seg.getAtIndex(java.lang.foreign.ValueLayout.JAVA_DOUBLE, i);
        }
        return s / size;
    }

    /**
     * joblib's memmap example: 10^7 doubles (an NdArray, as NumPy's array there), windows of 5*10^5 with step 10^5,
     * each task sleeping 10 ms and taking its window's mean; on processes the array is written once to the temp
     * folder and mapped by the workers. Run once untimed first, as in a warm session.
     */
    public static Duration memmapExample(Backend backend, int nJobs) {
        return memmapExample(backend, nJobs, null).time();
    }

    /**
     * The memmap example on {@code backend}; the peak memory is measured over the processes {@code pool} names
     * (its workers) and this JVM, or not at all when {@code pool} is null and the backend runs in other processes.
     */
    public static Measured memmapExample(Backend backend, int nJobs, ProcessPool pool) {
        double[] values = new double[10_000_000];
        java.util.Random r = new java.util.Random(0);
        for (int i = 0; i < values.length; i++) {
            values[i] = r.nextDouble();
        }
        NdArray data = NdArray.wrap(values);
        int window = 500_000;
        int step = 100_000;
        List<Integer> starts = new ArrayList<>();
        for (int s = 0; s + window <= values.length; s += step) {
            starts.add(s);
        }
        java.util.function.Supplier<java.util.Collection<Long>> pids = pids(pool);
        try (Parallel p = Parallel.builder().nJobs(nJobs).backend(backend).build()) {
            p.map(s -> windowMean(data, s, window), starts.subList(0, 4)); // workers up and the array shared
            System.gc();
            long before = PeakMemory.pss(pids.get());
            try (PeakMemory.PeakSampler sampler = new PeakMemory.PeakSampler(pids)) {
                long start = System.nanoTime();
                List<Double> means = p.map(s -> windowMean(data, s, window), starts);
                Duration d = Duration.ofNanos(System.nanoTime() - start);
                if (means.size() != starts.size()) {
                    throw new IllegalStateException("lost results");
                }
                long peak = sampler.peak();
                return new Measured(d, peak - before, sampler.peakSoFar(before));
            }
        }
    }

    private static java.util.function.Supplier<java.util.Collection<Long>> pids(ProcessPool pool) {
        return () -> {
            List<Long> all = new ArrayList<>();
            if (pool != null) {
                all.addAll(pool.workerPids());
            }
            all.add(ProcessHandle.current().pid());
            return all;
        };
    }

    /** How the big object of the pitfall scenario reaches the tasks. */
    public enum PitfallVariant {
        /** Threads: the tasks read the caller's array, nothing is copied. */
        THREADS,
        /** Processes with sharing disabled ({@code maxNbytes(null)}): the array is serialized into every batch. */
        COPIED,
        /** Processes, a {@code double[]}: written once to /dev/shm, read onto each worker's heap once. */
        SHARED_JAVA_ARRAY,
        /** Processes, an {@code NdArray}: written once to /dev/shm, mapped by the workers. */
        SHARED_NDARRAY
    }

    /**
     * What one variant of a scenario measured: its time and the added peak PSS of the parent and its workers, in all
     * and over time ({@code (seconds, bytes)} points, for {@link MemoryChart#add}).
     */
    @SuppressWarnings("ArrayRecordComponent") // a measurement handed to a chart: never compared or hashed
    public record Measured(Duration time, long addedPeak, double[][] addedPeakSoFar) {}

    /**
     * The "big object sent to every task" pitfall: an array of {@code megabytes} MB used by {@code tasks} tasks (each
     * sums a slice) at nJobs=2, on warm workers of the shared pool.
     */
    public static Measured bigObjectPitfall(PitfallVariant variant, int megabytes, int tasks) {
        if (variant == PitfallVariant.THREADS) {
            bigObjectPitfall(variant, megabytes, tasks, null, 1); // warm the same code on a small array
            return bigObjectPitfall(variant, megabytes, tasks, null, 0);
        }
        // A pool of its own per variant: workers start with small heaps, so their memory is this variant's alone.
        try (ProcessPool pool = ProcessPool.builder().build()) {
            bigObjectPitfall(variant, megabytes, tasks, pool, 1);
            return bigObjectPitfall(variant, megabytes, tasks, pool, 0);
        }
    }

    private static Measured bigObjectPitfall(
            PitfallVariant variant, int megabytes, int tasks, ProcessPool pool, int warmMegabytes) {
        int n = (warmMegabytes > 0 ? warmMegabytes * 2 : megabytes) * 1_000_000 / 8;
        double[] data = new double[n];
        java.util.Arrays.fill(data, 1.0);
        NdArray nd = variant == PitfallVariant.SHARED_NDARRAY ? NdArray.wrap(data) : null;
        Parallel.Builder b = Parallel.builder().nJobs(2);
        b.backend(pool == null ? Backend.threads() : pool.backend());
        if (variant == PitfallVariant.COPIED) {
            b.maxNbytes(null);
        }
        try (Parallel p = b.build()) {
            p.map(DocExamples::identity, List.of(1, 2, 3, 4));
            java.util.function.Supplier<java.util.Collection<Long>> pids = pids(pool);
            System.gc();
            long before = PeakMemory.pss(pids.get());
            List<Integer> indices = IntStream.range(0, tasks).boxed().toList();
            long start = System.nanoTime();
            try (PeakMemory.PeakSampler sampler = new PeakMemory.PeakSampler(pids)) {
                List<Double> sums = nd != null
                        ? p.map(t -> sliceSum(nd, t, tasks), indices)
                        : p.map(t -> sliceSum(data, t, tasks), indices);
                Duration time = Duration.ofNanos(System.nanoTime() - start);
                if (sums.size() != tasks) {
                    throw new IllegalStateException("lost results");
                }
                long peak = sampler.peak();
                return new Measured(time, peak - before, sampler.peakSoFar(before));
            }
        }
    }
}
