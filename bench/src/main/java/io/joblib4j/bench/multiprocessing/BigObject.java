package io.joblib4j.bench.multiprocessing;

import io.joblib4j.parallel.Parallel;
import io.joblib4j.process.ProcessPool;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/**
 * The documents' big-object pitfall: an object holding 50 tables of 10^6 bytes of doubles (each just under the
 * default {@code maxNbytes} of 1 MiB, so no single array is shared by size), whose method is mapped over the 50
 * indexes. Timed four ways: one thread, two threads ({@code Parallel} on threads), a {@code ProcessPool} of two
 * workers with {@code map}, and the same pool {@code submit}-style (one task per index capturing the object, all
 * queued at once, then joined). The pool's workers are started and warm before the timed calls; each timed call
 * sends the object to the workers again, as a new call does.
 */
final class BigObject implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    static final int TABLES = 50;
    static final int DOUBLES = 125_000;
    static final int PASSES = 24;

    final double[][] tables = new double[TABLES][DOUBLES];

    BigObject() {
        for (int k = 0; k < TABLES; k++) {
            for (int i = 0; i < DOUBLES; i++) {
                tables[k][i] = k + i * 1e-6;
            }
        }
    }

    /** About 10 ms of work on table {@code k}. */
    double work(int k) {
        double[] t = tables[k];
        double s = 0;
        for (int p = 0; p < PASSES; p++) {
            for (double x : t) {
                s += Math.sqrt(x + p);
            }
        }
        return s;
    }

    record Times(double single, double threads, double map, double submit) {}

    static Times run() throws InterruptedException, ExecutionException {
        BigObject big = new BigObject();
        List<Integer> ks = IntStream.range(0, TABLES).boxed().toList();
        for (int k = 0; k < TABLES; k++) {
            big.work(k); // warm the method in this JVM
        }
        double[] expected = new double[TABLES];
        long t0 = System.nanoTime();
        for (int k = 0; k < TABLES; k++) {
            expected[k] = big.work(k);
        }
        double single = ms(t0);

        Parallel threads = Parallel.builder().backend("threads").nJobs(2).build();
        threads.map(big::work, ks);
        t0 = System.nanoTime();
        check(threads.map(big::work, ks), expected);
        double threaded = ms(t0);

        double map;
        double submit;
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            // workers started and the method warm: the timed calls measure what the big object costs
            pool.map(big::work, ks);
            t0 = System.nanoTime();
            check(pool.map(big::work, ks), expected);
            map = ms(t0);

            List<Future<Double>> fs = new ArrayList<>();
            t0 = System.nanoTime();
            for (int k : ks) {
                fs.add(pool.submit(() -> big.work(k)));
            }
            List<Double> out = new ArrayList<>();
            for (Future<Double> f : fs) {
                out.add(f.get());
            }
            submit = ms(t0);
            check(out, expected);
        }
        return new Times(single, threaded, map, submit);
    }

    private static void check(List<Double> got, double[] expected) {
        for (int k = 0; k < expected.length; k++) {
            if (got.get(k) != expected[k]) {
                throw new IllegalStateException("table " + k + ": " + got.get(k) + " instead of " + expected[k]);
            }
        }
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
