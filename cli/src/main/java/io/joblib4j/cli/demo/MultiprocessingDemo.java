package io.joblib4j.cli.demo;

import io.joblib4j.multiprocessing.JvmProcess;
import io.joblib4j.multiprocessing.ProcessQueue;
import io.joblib4j.multiprocessing.SharedMap;
import io.joblib4j.parallel.Parallel;
import io.joblib4j.process.ProcessPool;
import java.io.PrintStream;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The documents' {@code multiprocessing} examples on JVMs: ten {@link JvmProcess}es saying hi and the subclass form;
 * {@code Pool.map}, {@code imap} and {@code imapUnordered} with a progress counter; producer/consumer over a
 * {@link ProcessQueue} with a per-process resource loaded once by the pool's initializer (the GPU-session pattern);
 * and the big-object pitfall (an object holding 50 tables, whose method is mapped over them) on threads, with
 * {@code map} (the object travels once per worker) and one task per table ({@code submit}), with times and the
 * added peak memory of the parent and its workers.
 */
public final class MultiprocessingDemo implements DemoSection {
    @Override
    public String title() {
        return "Multiprocessing";
    }

    @Override
    public void run(DemoReport report) throws Exception {
        report.section(title());
        PrintStream out = System.out;
        Step.Timed<List<Long>> ten = Step.run(out, "ten processes say hi", null, () -> tenProcesses(10));
        report.row(
                "ten JvmProcesses",
                "start all, join all",
                ten.time(),
                ten.value().size() + " distinct pids");
        Step.Timed<Integer> sub = Step.run(out, "a JvmProcess subclass", null, () -> {
            Greeter g = new Greeter(7);
            g.start();
            g.join();
            return g.exitCode();
        });
        report.row("JvmProcess subclass", "run() overridden", sub.time(), "exit code " + sub.value());

        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            List<Integer> items = IntStream.range(0, 200).boxed().toList();
            pool.map(MultiprocessingDemo::square, items.subList(0, 4)); // workers up
            Step.Timed<List<Integer>> map =
                    Step.run(out, "Pool.map of 200 squares", null, () -> pool.map(MultiprocessingDemo::square, items));
            report.row("Pool, 200 squares", "map", map.time(), "sum " + sum(map.value()));
            Step.Timed<Long> imap = Step.run(
                    out,
                    "Pool.imap, in input order",
                    null,
                    () -> counted(out, "imap", pool.imap(MultiprocessingDemo::square, items), items.size()));
            report.row("Pool, 200 squares", "imap (input order)", imap.time(), "sum " + imap.value());
            Step.Timed<Long> unordered = Step.run(
                    out,
                    "Pool.imapUnordered, in completion order",
                    null,
                    () -> counted(
                            out,
                            "imapUnordered",
                            pool.imapUnordered(MultiprocessingDemo::square, items),
                            items.size()));
            report.row("Pool, 200 squares", "imapUnordered", unordered.time(), "sum " + unordered.value());
        }

        Step.Timed<Sessions> gpu =
                Step.run(out, "producer/consumer, a session per worker", null, () -> gpuSessions(40));
        report.row(
                "queue of 40 jobs, 2 workers",
                "session loaded by the initializer",
                gpu.time(),
                gpu.value().results() + " results, " + gpu.value().loads() + " sessions loaded in "
                        + gpu.value().workers() + " workers");

        bigObject(report, out);
    }

    // ------------------------------------------------------------------ the examples

    /** Ten processes printing "say hi i", started together and joined: the distinct pids they ran in. */
    public static List<Long> tenProcesses(int n) throws InterruptedException {
        List<JvmProcess> ps = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = i;
            ps.add(new JvmProcess("hi-" + i, () -> System.out.println("say hi " + k)));
        }
        ps.forEach(JvmProcess::start);
        List<Long> pids = new ArrayList<>();
        for (JvmProcess p : ps) {
            p.join();
            pids.add(p.pid());
        }
        return pids.stream().distinct().toList();
    }

    /** The subclass form: fields travel to the child, {@code run()} is overridden. */
    public static final class Greeter extends JvmProcess {
        @Serial
        private static final long serialVersionUID = 1L;

        private final int k;

        public Greeter(int k) {
            super("greeter");
            this.k = k;
        }

        @Override
        public void run() {
            System.out.println("a subclass says " + k + " from process "
                    + ProcessHandle.current().pid());
        }
    }

    public static int square(int x) {
        return x * x;
    }

    private static long sum(List<Integer> xs) {
        return xs.stream().mapToLong(Integer::longValue).sum();
    }

    /** Consumes {@code results}, showing a {@code \r} counter: the sum. */
    private static long counted(PrintStream out, String label, Stream<Integer> results, int n) {
        long[] sum = {0};
        int[] seen = {0};
        try (results) {
            results.forEach(r -> {
                sum[0] += r;
                seen[0]++;
                if (seen[0] % 10 == 0 || seen[0] == n) {
                    out.printf(Locale.ROOT, "\r    %s: %d/%d", label, seen[0], n);
                    out.flush();
                }
            });
        }
        out.println();
        return sum[0];
    }

    /** The session of this worker JVM, loaded once by the pool's initializer (a GPU session, a model, ...). */
    private static volatile String session;

    /**
     * What {@link #gpuSessions} saw: the results collected, how many times a session was loaded, and in how many
     * worker JVMs.
     */
    public record Sessions(int results, int loads, int workers) {}

    /**
     * The GPU-session pattern: a pool whose initializer loads a session once per worker (200 ms here), two consumer
     * tasks taking jobs from a {@link ProcessQueue} until a stop mark and putting results on another.
     */
    public static Sessions gpuSessions(int jobs) throws Exception {
        SharedMap<Long, Integer> loads = SharedMap.create();
        ProcessQueue<Integer> todo = ProcessQueue.create();
        ProcessQueue<String> done = ProcessQueue.create();
        try (ProcessPool pool = ProcessPool.builder()
                .workers(2)
                .initializer(() -> {
                    sleep(200); // loading the session
                    session = "session of " + ProcessHandle.current().pid();
                    loads.merge(ProcessHandle.current().pid(), 1, Integer::sum);
                })
                .build()) {
            List<Future<Integer>> consumers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                consumers.add(pool.submit(() -> {
                    int n = 0;
                    for (int job = todo.take(); job >= 0; job = todo.take()) {
                        done.put("job " + job + " on " + session);
                        n++;
                    }
                    return n;
                }));
            }
            for (int j = 0; j < jobs; j++) {
                todo.put(j); // the producer
            }
            todo.put(-1);
            todo.put(-1); // one stop mark per consumer
            int handled = 0;
            for (Future<Integer> f : consumers) {
                handled += f.get();
            }
            List<String> results = new ArrayList<>();
            done.drainTo(results);
            if (handled != jobs || results.size() != jobs) {
                throw new IllegalStateException(handled + " jobs handled, " + results.size() + " results of " + jobs);
            }
            int total = Map.copyOf(loads).values().stream()
                    .mapToInt(Integer::intValue)
                    .sum();
            return new Sessions(results.size(), total, loads.size());
        } finally {
            loads.close();
            todo.close();
            done.close();
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ the big-object pitfall

    /** The documents' object: 50 tables of 10^6 bytes each (none above {@code maxNbytes} alone). */
    public static final class Tables implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        final double[][] tables;

        public Tables(int count, int doubles) {
            tables = new double[count][doubles];
            for (double[] t : tables) {
                java.util.Arrays.fill(t, 1.5);
            }
        }

        /** Some work on table {@code k}. */
        public double work(int k) {
            double s = 0;
            for (int p = 0; p < 4; p++) {
                for (double x : tables[k]) {
                    s += Math.sqrt(x + p);
                }
            }
            return s;
        }
    }

    private static void bigObject(DemoReport report, PrintStream out) throws Exception {
        Tables big = new Tables(50, 125_000);
        List<Integer> ks = IntStream.range(0, 50).boxed().toList();
        String example = "object of 50 x 1 MB tables, 50 tasks";
        try (Parallel threads = Parallel.builder().backend("threads").nJobs(2).build()) {
            threads.map(big::work, ks);
            measure(report, out, example, "threads", List.of(), () -> threads.map(big::work, ks));
        }
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            pool.map(MultiprocessingDemo::square, List.of(1, 2)); // workers up
            measure(
                    report,
                    out,
                    example,
                    "processes, map (object once per worker)",
                    pool.workerPids(),
                    () -> pool.map(big::work, ks));
            measure(report, out, example, "processes, one submit per task", pool.workerPids(), () -> {
                List<Future<Double>> fs = new ArrayList<>();
                for (int k : ks) {
                    fs.add(pool.submit(() -> big.work(k)));
                }
                List<Double> r = new ArrayList<>();
                for (Future<Double> f : fs) {
                    r.add(f.get());
                }
                return r;
            });
        }
    }

    private static void measure(
            DemoReport report,
            PrintStream out,
            String example,
            String variant,
            List<Long> workers,
            java.util.concurrent.Callable<List<Double>> body)
            throws Exception {
        java.util.function.Supplier<java.util.Collection<Long>> pids = () -> {
            List<Long> all = new ArrayList<>(workers);
            all.add(ProcessHandle.current().pid());
            return all;
        };
        System.gc();
        long before = PeakMemory.pss(pids.get());
        Step.Timed<Long> t;
        try (PeakMemory.PeakSampler sampler = new PeakMemory.PeakSampler(pids)) {
            Step.Timed<List<Double>> r = Step.run(out, example + ", " + variant, null, body);
            t = new Step.Timed<>(sampler.peak() - before, r.time());
            if (r.value().size() != 50) {
                throw new IllegalStateException("lost results");
            }
        }
        report.row(example, variant, t.time(), "added peak memory of parent and workers " + PeakMemory.mb(t.value()));
    }
}
