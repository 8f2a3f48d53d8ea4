package io.joblib4j.bench.multiprocessing;

import io.joblib4j.bench.PythonPeer;
import io.joblib4j.multiprocessing.Connection;
import io.joblib4j.multiprocessing.JvmProcess;
import io.joblib4j.multiprocessing.Pipe;
import io.joblib4j.multiprocessing.ProcessEvent;
import io.joblib4j.multiprocessing.ProcessQueue;
import io.joblib4j.multiprocessing.SharedLong;
import io.joblib4j.parallel.Parallel;
import io.joblib4j.process.ProcessPool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * {@code io.joblib4j.multiprocessing} beside Python's {@code multiprocessing}, in one run on the same machine:
 * process start-to-join, queue throughput between two processes (small integers, 1 MB arrays), pipe round trip, a
 * shared counter incremented from two processes, and Pool.map over 10^4 tiny tasks; with the JVM's own start
 * ({@code java -version}, with and without class-data sharing) as the floor of a process start.
 *
 * <p>Run (after {@code ./mvnw -q -B -DskipTests package -pl cli -am}):
 * <pre>{@code
 * java --enable-native-access=ALL-UNNAMED -cp "cli/target/joblib4j-cli.jar:cli/target/lib/*" \
 *     io.joblib4j.bench.multiprocessing.MultiprocessingScenarios
 * }</pre>
 * Python's figures come from {@code bench/python/mp_peer.py}, run by this class when {@code python3} is there.
 */
public final class MultiprocessingScenarios {
    private MultiprocessingScenarios() {}

    static final class Row {
        final String name;
        final String unit;
        final double java;
        final boolean higherIsBetter;

        Row(String name, String unit, double java, boolean higherIsBetter) {
            this.name = name;
            this.unit = unit;
            this.java = java;
            this.higherIsBetter = higherIsBetter;
        }
    }

    /** The parts, in order; no arguments runs them all. */
    static final List<String> PARTS = List.of("start", "queue", "pipe", "counter", "pool", "big");

    public static void main(String[] args) throws Exception {
        List<String> which = args.length == 0 ? PARTS : List.of(args);
        for (String w : which) {
            if (!PARTS.contains(w)) {
                throw new IllegalArgumentException("unknown part " + w + "; the parts are " + PARTS);
            }
        }
        List<Row> rows = new ArrayList<>();
        if (which.contains("start")) {
            rows.add(new Row("process_start_join_spawn", "ms", startToJoinMillis(), false));
            for (Map.Entry<String, List<String>> v : startVariants().entrySet()) {
                rows.add(new Row("process_start_join_" + v.getKey(), "ms", startToJoinMillis(v.getValue()), false));
            }
            rows.add(new Row("jvm_floor_java_version_cds", "ms", javaVersionMillis(true), false));
            rows.add(new Row("jvm_floor_java_version_no_cds", "ms", javaVersionMillis(false), false));
        }
        if (which.contains("queue")) {
            rows.add(new Row("queue_small_ints", "items/s", queueSmallInts(100_000), true));
            // a longer stream: the producer's JVM warms up in its first hundred thousand puts
            rows.add(new Row("queue_small_ints_1m", "items/s", queueSmallInts(1_000_000), true));
            rows.add(new Row("queue_1mb_bytes", "MB/s", queueMegabytes(200), true));
        }
        if (which.contains("pipe")) {
            rows.add(new Row("pipe_round_trip", "us", pipeRoundTripMicros(5000), false));
        }
        if (which.contains("counter")) {
            rows.add(new Row("shared_counter_2_processes", "increments/s", sharedCounter(5_000_000), true));
        }
        if (which.contains("pool")) {
            rows.add(new Row("pool_map_10k_tiny", "ms", poolMapMillis(10_000), false));
            // the same call once the JIT has compiled both sides: the row above mostly times a warm-up
            rows.add(new Row("pool_map_10k_tiny_warm", "ms", poolMapWarmMillis(10_000), false));
            rows.add(new Row("parallel_map_10k_tiny_same_pool", "ms", parallelMapMillis(10_000), false));
        }
        if (which.contains("big")) {
            BigObject.Times big = BigObject.run();
            rows.add(new Row("big_object_single_thread", "ms", big.single(), false));
            rows.add(new Row("big_object_threads", "ms", big.threads(), false));
            rows.add(new Row("big_object_processes_map", "ms", big.map(), false));
            rows.add(new Row("big_object_processes_submit", "ms", big.submit(), false));
            System.out.printf(
                    Locale.ROOT,
                    "(big object: processes map / threads %.2fx (target 1.3x), submit-style / threads %.2fx (target"
                            + " 1.5x))%n",
                    big.map() / big.threads(),
                    big.submit() / big.threads());
        }

        Map<String, Double> python = new LinkedHashMap<>();
        var py = PythonPeer.python();
        if (py.isPresent()) {
            for (Map<String, String> r : PythonPeer.run(py.get(), "mp_peer.py", which.toArray(String[]::new))) {
                python.put(r.get("scenario"), Double.parseDouble(r.get("value")));
            }
        }
        System.out.println(
                "scenario                         | unit          | joblib4j     | Python mp    | joblib4j/Python");
        System.out.println(
                "---------------------------------|---------------|--------------|--------------|----------------");
        for (Row r : rows) {
            String key = r.name.startsWith("jvm_floor") ? null : r.name;
            Double p = key == null ? null : python.get(key);
            String ratio = p == null
                    ? ""
                    : String.format(
                            Locale.ROOT,
                            "%.2fx %s",
                            r.java / p,
                            r.higherIsBetter ? "(higher is better)" : "(lower is better)");
            System.out.printf(
                    Locale.ROOT,
                    "%-32s | %-13s | %12.1f | %12s | %s%n",
                    r.name,
                    r.unit,
                    r.java,
                    p == null ? "" : String.format(Locale.ROOT, "%.1f", p),
                    ratio);
        }
        chart(rows, python);
        Double fork = python.get("process_start_join_fork");
        if (fork != null) {
            System.out.printf(Locale.ROOT, "(Python, fork start method: process start-to-join %.1f ms)%n", fork);
        }
    }

    /**
     * {@code multiprocessing}: per scenario, how many times better joblib4j does than Python's multiprocessing
     * (throughput ratio, or time ratio inverted, so that above 1 is better), log scale; Python is the line at 1.
     */
    private static void chart(List<Row> rows, Map<String, Double> python) throws IOException {
        List<String> names = new ArrayList<>();
        List<Double> ours = new ArrayList<>();
        for (Row r : rows) {
            Double p = python.get(r.name);
            if (p == null || r.name.startsWith("jvm_floor")) {
                continue;
            }
            names.add(r.name.replace('_', ' '));
            ours.add(r.higherIsBetter ? r.java / p : p / r.java);
        }
        if (names.isEmpty()) {
            return;
        }
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put(
                "joblib4j (times Python's)",
                ours.stream().mapToDouble(Double::doubleValue).toArray());
        series.put(
                "Python multiprocessing (= 1)",
                names.stream().mapToDouble(n -> 1.0).toArray());
        io.joblib4j.bench.Charts.bars(
                "multiprocessing",
                "joblib4j vs Python multiprocessing, per scenario: times better (log scale; > 1 is better)",
                "x Python",
                names,
                series,
                true);
    }

    /** The median of 5 start-to-join times of a JvmProcess with an empty target. */
    static double startToJoinMillis() throws InterruptedException {
        return startToJoinMillis(List.of());
    }

    /**
     * Child JVM options tried for a faster start, each measured beside the default: the C1 compiler only, no
     * class-data sharing at all (what the JDK's default archive saves), an application archive of the classes a
     * child loads (written by a first child at its exit), a small heap.
     */
    static Map<String, List<String>> startVariants() throws InterruptedException {
        Map<String, List<String>> v = new LinkedHashMap<>();
        v.put("c1_only", List.of("-XX:TieredStopAtLevel=1"));
        v.put("xshare_off", List.of("-Xshare:off"));
        try {
            java.nio.file.Path jsa = java.nio.file.Files.createTempFile("joblib4j-bench-child", ".jsa");
            java.nio.file.Files.delete(jsa);
            JvmProcess dump = JvmProcess.builder(() -> {})
                    .jvmOptions("-XX:ArchiveClassesAtExit=" + jsa, "-Xlog:cds=off", "-Xlog:cds+dynamic=off")
                    .build();
            dump.start();
            dump.join();
            if (java.nio.file.Files.isRegularFile(jsa)) {
                jsa.toFile().deleteOnExit();
                v.put("app_cds_archive", List.of("-XX:SharedArchiveFile=" + jsa, "-Xlog:cds=off"));
                v.put(
                        "app_cds_archive_c1_only",
                        List.of("-XX:SharedArchiveFile=" + jsa, "-Xlog:cds=off", "-XX:TieredStopAtLevel=1"));
            }
        } catch (IOException e) {
            // no archive variant
        }
        v.put("xmx64m", List.of("-Xmx64m", "-Xms8m"));
        return v;
    }

    /** The median of 5 start-to-join times of a JvmProcess with an empty target, started with {@code options}. */
    static double startToJoinMillis(List<String> options) throws InterruptedException {
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            long t0 = System.nanoTime();
            JvmProcess p = JvmProcess.builder(() -> {})
                    .jvmOptions(options.toArray(String[]::new))
                    .build();
            p.start();
            p.join();
            if (i > 0) { // the first one also finds the class path
                times.add((System.nanoTime() - t0) / 1e6);
            }
        }
        times.sort(null);
        return times.get(times.size() / 2);
    }

    /** The median of 5 runs of {@code java -version} (the JVM's own start), with or without class-data sharing. */
    static double javaVersionMillis(boolean cds) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(java, cds ? "-Xshare:auto" : "-Xshare:off", "-version")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            p.waitFor();
            times.add((System.nanoTime() - t0) / 1e6);
        }
        times.sort(null);
        return times.get(times.size() / 2);
    }

    static double queueSmallInts(int n) throws InterruptedException {
        ProcessQueue<Integer> q = ProcessQueue.create();
        JvmProcess p = new JvmProcess(() -> {
            for (int i = 0; i < n; i++) {
                q.add(i);
            }
            q.add(-1);
        });
        p.start();
        q.take(); // the first item: the child is up (its JVM's start is the start-to-join row's)
        long t0 = System.nanoTime();
        int got = 0;
        while (q.take() != -1) {
            got++;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        p.join();
        q.close();
        return got / secs;
    }

    static double queueMegabytes(int n) throws InterruptedException {
        ProcessQueue<byte[]> q = ProcessQueue.create();
        int size = 1 << 20;
        JvmProcess p = new JvmProcess(() -> {
            byte[] b = new byte[size];
            for (int i = 0; i < n; i++) {
                q.add(b);
            }
            q.add(new byte[0]);
        });
        p.start();
        q.take(); // the first item: the child is up
        long t0 = System.nanoTime();
        int got = 0;
        while (q.take().length > 0) {
            got++;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        p.join();
        q.close();
        return (double) got * size / secs / 1e6;
    }

    static double pipeRoundTripMicros(int rounds) throws Exception {
        Pipe pipe = Pipe.open();
        Connection child = pipe.right();
        JvmProcess p = new JvmProcess(() -> {
            try {
                while (true) {
                    Object m = child.recv();
                    if (m.equals(-1)) {
                        return;
                    }
                    child.send(m);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        p.start();
        Connection me = pipe.left();
        for (int i = 0; i < 500; i++) {
            me.send(i);
            me.recv();
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            me.send(i);
            me.recv();
        }
        double micros = (System.nanoTime() - t0) / 1e3 / rounds;
        me.send(-1);
        p.join();
        return micros;
    }

    /** Increments per second of two processes incrementing one SharedLong, timed from a start signal to both done. */
    static double sharedCounter(int perProcess) throws InterruptedException {
        SharedLong v = SharedLong.create(0);
        ProcessEvent go = ProcessEvent.create();
        ProcessQueue<Long> done = ProcessQueue.create();
        List<JvmProcess> ps = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ps.add(new JvmProcess(() -> {
                try {
                    done.put(0L); // up
                    go.await();
                    for (int k = 0; k < perProcess; k++) {
                        v.incrementAndGet();
                    }
                    done.put(1L);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        ps.forEach(JvmProcess::start);
        done.take();
        done.take();
        long t0 = System.nanoTime();
        go.set();
        done.take();
        done.take();
        double secs = (System.nanoTime() - t0) / 1e9;
        for (JvmProcess p : ps) {
            p.join();
        }
        if (v.get() != 2L * perProcess) {
            throw new IllegalStateException("lost increments: " + v.get());
        }
        v.close();
        go.close();
        done.close();
        return 2.0 * perProcess / secs;
    }

    static int tiny(int x) {
        return x + 1;
    }

    static double poolMapMillis(int n) {
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            List<Integer> items = IntStream.range(0, n).boxed().toList();
            pool.map(MultiprocessingScenarios::tiny, items.subList(0, 100));
            pool.map(MultiprocessingScenarios::tiny, items);
            long t0 = System.nanoTime();
            List<Integer> r = pool.map(MultiprocessingScenarios::tiny, items);
            double ms = (System.nanoTime() - t0) / 1e6;
            if (r.getLast() != n) {
                throw new IllegalStateException("wrong result " + r.getLast());
            }
            return ms;
        }
    }

    /** The median of 100 calls of the map of {@link #poolMapMillis}, after 300 calls on the same pool. */
    static double poolMapWarmMillis(int n) {
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            List<Integer> items = IntStream.range(0, n).boxed().toList();
            for (int i = 0; i < 300; i++) {
                pool.map(MultiprocessingScenarios::tiny, items);
            }
            double[] ms = new double[100];
            for (int i = 0; i < ms.length; i++) {
                long t0 = System.nanoTime();
                List<Integer> r = pool.map(MultiprocessingScenarios::tiny, items);
                ms[i] = (System.nanoTime() - t0) / 1e6;
                if (r.getLast() != n) {
                    throw new IllegalStateException("wrong result " + r.getLast());
                }
            }
            java.util.Arrays.sort(ms);
            return ms[ms.length / 2];
        }
    }

    /** The same map as {@link #poolMapMillis} through {@code Parallel} on the pool's backend (automatic batches). */
    static double parallelMapMillis(int n) {
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            Parallel par = Parallel.builder().backend(pool.backend()).nJobs(2).build();
            List<Integer> items = IntStream.range(0, n).boxed().toList();
            par.map(MultiprocessingScenarios::tiny, items.subList(0, 100));
            par.map(MultiprocessingScenarios::tiny, items);
            long t0 = System.nanoTime();
            List<Integer> r = par.map(MultiprocessingScenarios::tiny, items);
            double ms = (System.nanoTime() - t0) / 1e6;
            if (r.getLast() != n) {
                throw new IllegalStateException("wrong result " + r.getLast());
            }
            return ms;
        }
    }
}
