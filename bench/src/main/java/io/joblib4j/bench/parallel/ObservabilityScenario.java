package io.joblib4j.bench.parallel;

import io.joblib4j.bench.Table;
import io.joblib4j.parallel.CallListener;
import io.joblib4j.parallel.Parallel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import jdk.jfr.Recording;

/**
 * What observing a call costs: the tiny-task benchmark ({@code Math.sqrt} over 10^6 inputs, threads, nJobs=2) and
 * 10^5 tasks of 10 µs each, with nothing on (twice, to show the noise), with a JFR recording running but joblib4j's
 * events off, with them on, with a {@link CallListener} registered, and with a timeline report. Variants run
 * interleaved, round after round, in one JVM; the table gives each one's median and its ratio to the first "off".
 *
 * <pre>
 * ./mvnw -q -DskipTests package -pl bench -am
 * java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.joblib4j.bench.parallel.ObservabilityScenario [ROUNDS]
 * </pre>
 * or {@code ./joblib4j bench observability [ROUNDS]}.
 */
public final class ObservabilityScenario {
    private ObservabilityScenario() {}

    static volatile double sink;

    /** Spins for about {@code micros} microseconds. */
    static double spin(int micros) {
        long end = System.nanoTime() + micros * 1000L;
        double x = 0;
        while (System.nanoTime() < end) {
            x += 1;
        }
        return x;
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        Path dir = Files.createTempDirectory("joblib4j-observability-");
        Path timeline = dir.resolve("timeline.html");
        List<Integer> tiny = IntStream.range(0, 1_000_000).boxed().toList();
        List<Integer> tenMicros = IntStream.range(0, 100_000).boxed().toList();
        try (Parallel off = Parallel.of(2);
                Parallel withTimeline =
                        Parallel.builder().nJobs(2).timeline(timeline).build()) {
            Table t = new Table(
                    "workload", "variant", "median s", "min s", "ratio to off (median)", "ratio to off (min)");
            measure(
                    t,
                    "tiny: 10^6 x Math.sqrt",
                    rounds,
                    variants(off, withTimeline, p -> p.map(x -> Math.sqrt(x), tiny)));
            measure(
                    t,
                    "10^5 tasks of 10 µs",
                    rounds,
                    variants(off, withTimeline, p -> p.map(x -> spin(10), tenMicros)));
            System.out.println("\n## Cost of observing a call (threads, nJobs=2; median of " + rounds
                    + " interleaved rounds, one JVM; only the call is timed)\n");
            t.print(System.out);
            System.out.println("\nthe timeline report of the last call took " + Files.size(timeline) + " bytes");
        } finally {
            Files.deleteIfExists(timeline);
            Files.deleteIfExists(dir);
        }
    }

    interface Call {
        Object run(Parallel p) throws Exception;
    }

    /** Runs one call of a variant and returns how long the call itself took, in seconds. */
    private interface Body {
        double run() throws Exception;
    }

    // the sink only keeps the JIT from dropping the call's result; one thread writes it
    @SuppressWarnings("NonAtomicVolatileUpdate")
    private static double timed(Call call, Parallel p) throws Exception {
        long start = System.nanoTime();
        sink += call.run(p).hashCode();
        return (System.nanoTime() - start) / 1e9;
    }

    private static Map<String, Body> variants(Parallel off, Parallel withTimeline, Call call) {
        Map<String, Body> v = new LinkedHashMap<>();
        v.put("off", () -> timed(call, off));
        v.put("off (again)", () -> timed(call, off));
        // Starting and stopping a recording is not timed: only the call made while it runs.
        v.put("JFR recording on, joblib4j events off", () -> withRecording(false, () -> timed(call, off)));
        v.put("JFR recording with joblib4j events", () -> withRecording(true, () -> timed(call, off)));
        v.put("CallListener registered", () -> {
            try (var _ = CallListener.register(new CallListener() {})) {
                return timed(call, off);
            }
        });
        v.put("timeline report (written at the call's end)", () -> timed(call, withTimeline));
        return v;
    }

    private static double withRecording(boolean ours, Body body) throws Exception {
        try (Recording r = new Recording()) {
            if (ours) {
                for (String name : List.of("io.joblib4j.Call", "io.joblib4j.Batch")) {
                    r.enable(name);
                }
            }
            r.enable("jdk.CPULoad");
            r.setToDisk(false);
            r.start();
            double s = body.run();
            r.stop();
            return s;
        }
    }

    private static void measure(Table t, String workload, int rounds, Map<String, Body> variants) throws Exception {
        // warm-up: every variant twice
        for (int i = 0; i < 2; i++) {
            for (Body b : variants.values()) {
                b.run();
            }
        }
        Map<String, double[]> times = new LinkedHashMap<>();
        variants.keySet().forEach(k -> times.put(k, new double[rounds]));
        for (int r = 0; r < rounds; r++) {
            for (Map.Entry<String, Body> e : variants.entrySet()) {
                times.get(e.getKey())[r] = e.getValue().run();
            }
        }
        double base = median(times.get("off"));
        double baseMin = Arrays.stream(times.get("off")).min().orElseThrow();
        for (Map.Entry<String, double[]> e : times.entrySet()) {
            double m = median(e.getValue());
            double min = Arrays.stream(e.getValue()).min().orElseThrow();
            t.row(
                    workload,
                    e.getKey(),
                    String.format(Locale.ROOT, "%.4f", m),
                    String.format(
                            Locale.ROOT,
                            "%.4f",
                            Arrays.stream(e.getValue()).min().orElseThrow()),
                    String.format(Locale.ROOT, "%.3f", m / base),
                    String.format(Locale.ROOT, "%.3f", min / baseMin));
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
