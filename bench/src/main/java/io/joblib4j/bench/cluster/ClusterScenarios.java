package io.joblib4j.bench.cluster;

import io.joblib4j.Joblib;
import io.joblib4j.backend.Backend;
import io.joblib4j.bench.PythonPeer;
import io.joblib4j.bench.Table;
import io.joblib4j.cli.demo.MemberJvm;
import io.joblib4j.hazelcast.HazelcastBackend;
import io.joblib4j.parallel.Parallel;
import io.joblib4j.process.ProcessPool;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * Scenarios of the cluster backend, with members in JVMs of their own on 127.0.0.1: per-task dispatch overhead on a
 * warm cluster (tiny tasks) against the threads and processes backends; throughput of 10 ms tasks at 1, 2 and 4
 * members (efficiency = ideal / measured time); recovery after {@code kill -9} of a member mid-call (from the kill to
 * the first re-run task starting on a survivor). Timed runs follow {@value #WARM_UP_SECONDS} s of untimed ones. Where {@code python3 -c 'import distributed'} works, Python joblib on
 * a dask {@code LocalCluster} runs the same scenarios in the same run ({@code bench/python/cluster_peer.py}).
 *
 * <p>Run: {@code ./joblib4j bench cluster} (or {@code java -cp ... io.joblib4j.bench.cluster.ClusterScenarios}).
 */
public final class ClusterScenarios {
    private ClusterScenarios() {}

    static final int SLOTS = 4;

    /** The suite's parts, selectable by name on the command line ({@code ./joblib4j bench cluster overhead}). */
    static final List<String> PARTS = List.of("overhead", "throughput", "recovery");

    public static void main(String[] args) throws Exception {
        java.util.Set<String> only = new java.util.LinkedHashSet<>(List.of(args));
        for (String part : only) {
            if (!PARTS.contains(part)) {
                throw new IllegalArgumentException(
                        "unknown part '" + part + "' of the cluster suite; valid parts are " + PARTS);
            }
        }
        if (only.isEmpty()) {
            only.addAll(PARTS);
        }
        Optional<String> python = daskPython();
        System.out.println("# Cluster scenarios (" + Runtime.getRuntime().availableProcessors() + " CPUs, Java "
                + Runtime.version() + ", members on 127.0.0.1 with " + SLOTS + " slots each; Python dask: "
                + python.orElse("not found") + ")");
        Map<String, Map<String, String>> peer = new java.util.HashMap<>();
        if (python.isPresent()) {
            for (Map<String, String> row : PythonPeer.run(python.get(), "cluster_peer.py", Integer.toString(SLOTS))) {
                peer.put(row.get("scenario") + "/" + row.get("members"), row);
            }
        }
        if (only.contains("overhead")) {
            overhead(peer);
        }
        if (only.contains("throughput")) {
            throughput(peer);
        }
        if (only.contains("recovery")) {
            recovery(peer);
        }
    }

    /** A Python that imports joblib and distributed: {@code JOBLIB4J_PYTHON} ({@code none} skips the peer), else
     * {@code python3}, else {@code /usr/bin/python3}. */
    private static Optional<String> daskPython() {
        String env = System.getenv("JOBLIB4J_PYTHON");
        if ("none".equals(env)) {
            return Optional.empty();
        }
        List<String> candidates = new ArrayList<>();
        if (env != null && !env.isBlank()) {
            candidates.add(env);
        }
        candidates.add("python3");
        candidates.add("/usr/bin/python3");
        for (String py : candidates) {
            try {
                Process p = new ProcessBuilder(py, "-c", "import joblib, distributed")
                        .redirectErrorStream(true)
                        .start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return Optional.of(py);
                }
            } catch (IOException | InterruptedException e) {
                // next
            }
        }
        return Optional.empty();
    }

    static int identity(int x) {
        return x;
    }

    static int sleep10(int x) throws InterruptedException {
        Thread.sleep(10);
        return x;
    }

    /** Index, attempt, start (epoch ms). */
    record Ran(int index, int attempt, long startMillis) implements Serializable {}

    static Ran sleepFor(int index, int millis) throws InterruptedException {
        long start = System.currentTimeMillis();
        Thread.sleep(millis);
        return new Ran(index, Joblib.currentAttempt(), start);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    // a private shorthand for String.format in the root locale; every caller passes a literal format
    @SuppressWarnings("AnnotateFormatMethod")
    private static String f(String fmt, Object... a) {
        return String.format(Locale.ROOT, fmt, a);
    }

    private static long timeMap(Parallel p, Backend ignored, List<Integer> inputs, boolean sleep) {
        long t0 = System.nanoTime();
        List<Integer> r = sleep ? p.map(ClusterScenarios::sleep10, inputs) : p.map(ClusterScenarios::identity, inputs);
        long t = System.nanoTime() - t0;
        if (r.size() != inputs.size()) {
            throw new IllegalStateException("lost results");
        }
        return t;
    }

    /**
     * Seconds of untimed runs before the timed ones: a warm cluster is one whose JVMs have compiled the dispatch
     * path (with the client and several members on 2 cores, the JIT compilers' own work takes the first seconds).
     */
    static final double WARM_UP_SECONDS = 8;

    private static void warmUp(Runnable run) {
        long end = System.nanoTime() + (long) (WARM_UP_SECONDS * 1e9);
        do {
            run.run();
        } while (System.nanoTime() < end);
    }

    private static long best(int runs, java.util.function.LongSupplier run) {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < runs; i++) {
            best = Math.min(best, run.getAsLong());
        }
        return best;
    }

    static void overhead(Map<String, Map<String, String>> peer) throws Exception {
        int n = 20_000;
        List<Integer> inputs = IntStream.range(0, n).boxed().toList();
        Table t = new Table("backend", "tiny tasks", "best of 3", "tasks/s", "per task");
        try (Parallel p = Parallel.builder().backend("threads").nJobs(2).build()) {
            warmUp(() -> p.map(ClusterScenarios::identity, inputs));
            long ns = best(3, () -> timeMap(p, null, inputs, false));
            t.row(
                    "threads, nJobs=2",
                    n,
                    f("%.3f s", seconds(ns)),
                    f("%.0f", n / seconds(ns)),
                    f("%.1f µs", ns / 1e3 / n));
        }
        try (ProcessPool pool = ProcessPool.builder().workers(2).build();
                Parallel p = Parallel.builder().backend(pool.backend()).nJobs(2).build()) {
            warmUp(() -> p.map(ClusterScenarios::identity, inputs));
            long ns = best(3, () -> timeMap(p, null, inputs, false));
            t.row(
                    "processes, nJobs=2",
                    n,
                    f("%.3f s", seconds(ns)),
                    f("%.0f", n / seconds(ns)),
                    f("%.1f µs", ns / 1e3 / n));
        }
        try (Cluster c = Cluster.start(2);
                Parallel p = Parallel.builder().backend(c.backend).nJobs(-1).build()) {
            warmUp(() -> p.map(ClusterScenarios::identity, inputs));
            long ns = best(3, () -> timeMap(p, null, inputs, false));
            t.row(
                    "hazelcast, 2 members",
                    n,
                    f("%.3f s", seconds(ns)),
                    f("%.0f", n / seconds(ns)),
                    f("%.1f µs", ns / 1e3 / n));
        }
        Map<String, String> py = peer.get("overhead/2");
        if (py != null) {
            double s = Double.parseDouble(py.get("seconds"));
            int pn = Integer.parseInt(py.get("tasks"));
            t.row(
                    "Python joblib on dask LocalCluster, 2 workers",
                    pn,
                    f("%.3f s", s),
                    f("%.0f", pn / s),
                    f("%.1f µs", s * 1e6 / pn));
        }
        System.out.println();
        System.out.println("## Dispatch overhead: tiny tasks (identity), warm workers, automatic batching");
        t.print(System.out);
    }

    static void throughput(Map<String, Map<String, String>> peer) throws Exception {
        Table t = new Table("members", "slots", "tasks of 10 ms", "ideal", "measured (best of 3)", "efficiency");
        int[] sizes = {1, 2, 4};
        double[] ours = new double[sizes.length];
        double[] dask = new double[sizes.length];
        java.util.Arrays.fill(dask, Double.NaN);
        for (int si = 0; si < sizes.length; si++) {
            int members = sizes[si];
            int slots = members * SLOTS;
            int n = 100 * slots;
            List<Integer> inputs = IntStream.range(0, n).boxed().toList();
            // The same tasks on as many threads of this JVM: what these cores allow, without a network (the ideal
            // assumes that a 10 ms sleep takes 10 ms; under load each one oversleeps).
            try (Parallel p = Parallel.builder().backend("threads").nJobs(slots).build()) {
                warmUp(() -> p.map(ClusterScenarios::sleep10, inputs));
                long ns = best(3, () -> timeMap(p, null, inputs, true));
                double ideal = n * 0.010 / slots;
                t.row(
                        "threads (reference)",
                        slots,
                        n,
                        f("%.2f s", ideal),
                        f("%.2f s", seconds(ns)),
                        f("%.0f %%", 100 * ideal / seconds(ns)));
            }
            try (Cluster c = Cluster.start(members);
                    Parallel p = Parallel.builder().backend(c.backend).nJobs(-1).build()) {
                warmUp(() -> p.map(ClusterScenarios::sleep10, inputs));
                long ns = best(3, () -> timeMap(p, null, inputs, true));
                double ideal = n * 0.010 / slots;
                ours[si] = 100 * ideal / seconds(ns);
                t.row(
                        members,
                        slots,
                        n,
                        f("%.2f s", ideal),
                        f("%.2f s", seconds(ns)),
                        f("%.0f %%", 100 * ideal / seconds(ns)));
            }
            Map<String, String> py = peer.get("throughput/" + members);
            if (py != null) {
                double s = Double.parseDouble(py.get("seconds"));
                double ideal = n * 0.010 / slots;
                dask[si] = 100 * ideal / s;
                t.row(
                        "dask " + members + " workers",
                        slots,
                        n,
                        f("%.2f s", ideal),
                        f("%.2f s", s),
                        f("%.0f %%", 100 * ideal / s));
            }
        }
        System.out.println();
        System.out.println("## Throughput: tasks sleeping 10 ms, " + SLOTS + " slots per member, 100 tasks per slot");
        t.print(System.out);
        Map<String, double[]> series = new java.util.LinkedHashMap<>();
        series.put("joblib4j on Hazelcast members", ours);
        series.put("Python joblib on dask (same slots)", dask);
        io.joblib4j.bench.Charts.bars(
                "cluster-efficiency",
                "Tasks of 10 ms, " + SLOTS + " slots per member: efficiency (ideal / measured time, %)",
                "efficiency %",
                java.util.Arrays.stream(sizes)
                        .mapToObj(m -> m + (m == 1 ? " member" : " members"))
                        .toList(),
                series,
                false);
    }

    static void recovery(Map<String, Map<String, String>> peer) throws Exception {
        Table t = new Table("run", "tasks", "call time", "results", "re-run", "kill to first re-run start");
        for (int run = 1; run <= 3; run++) {
            try (Cluster c = Cluster.start(2);
                    Parallel p = Parallel.builder()
                            .backend(c.backend)
                            .nJobs(-1)
                            .batchSize(1)
                            .build()) {
                p.map(ClusterScenarios::identity, List.of(1, 2, 3, 4));
                long[] killedAt = new long[1];
                Thread killer = new Thread(() -> {
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                    killedAt[0] = System.currentTimeMillis();
                    c.members.get(1).kill9();
                });
                killer.start();
                long t0 = System.nanoTime();
                List<Ran> ran = p.run(IntStream.range(0, 2 * 2 * SLOTS)
                        .mapToObj(i -> Joblib.delayed(ClusterScenarios::sleepFor, i, 2000)));
                long ns = System.nanoTime() - t0;
                killer.join();
                long reruns = ran.stream().filter(r -> r.attempt() > 1).count();
                long first = ran.stream()
                        .filter(r -> r.attempt() > 1)
                        .mapToLong(Ran::startMillis)
                        .min()
                        .orElse(-1);
                t.row(
                        run,
                        ran.size(),
                        f("%.2f s", seconds(ns)),
                        ran.size(),
                        reruns,
                        first < 0 ? "-" : (first - killedAt[0]) + " ms");
            }
        }
        Map<String, String> py = peer.get("recovery/2");
        if (py != null) {
            t.row("dask", py.get("tasks"), py.get("seconds") + " s", py.get("results"), "-", py.get("note"));
        }
        System.out.println();
        System.out.println("## Recovery: 2 members x " + SLOTS + " slots, " + (4 * SLOTS)
                + " tasks of 2 s, kill -9 of one member 0.5 s into the call");
        t.print(System.out);
    }

    /** Member JVMs ({@link MemberJvm}, as ./joblib4j worker runs them) and a client of them. */
    static final class Cluster implements AutoCloseable {
        final List<MemberJvm> members = new ArrayList<>();
        HazelcastBackend backend;

        static Cluster start(int n) throws IOException {
            Cluster c = new Cluster();
            String name = "bench-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
            try {
                for (int i = 0; i < n; i++) {
                    c.members.add(MemberJvm.start(
                            name, i == 0 ? null : c.members.getFirst().address(), SLOTS, false));
                }
                c.backend = HazelcastBackend.connect(HazelcastBackend.clientConfig(
                        name, c.members.stream().map(m -> m.address()).toArray(String[]::new)));
                return c;
            } catch (IOException | RuntimeException e) {
                c.close();
                throw e;
            }
        }

        @Override
        public void close() {
            if (backend != null) {
                backend.close();
            }
            Collections.reverse(members);
            members.forEach(MemberJvm::close);
        }
    }
}
