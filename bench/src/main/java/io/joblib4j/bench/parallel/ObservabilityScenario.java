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
            Table t = new Table("workload", "variant", "median s", "min s", "ratio to off (median)");
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
                    + " interleaved rounds, one JVM)\n");
            t.print(System.out);
            System.out.println(
                    "\ntimeline report of the last call: " + timeline + " (" + Files.size(timeline) + " bytes)");
        }
    }

    interface Call {
        Object run(Parallel p) throws Exception;
    }

    private interface Body {
        void run() throws Exception;
    }

    private static Map<String, Body> variants(Parallel off, Parallel withTimeline, Call call) {
        Map<String, Body> v = new LinkedHashMap<>();
        v.put("off", () -> sink += call.run(off).hashCode());
        v.put("off (again)", () -> sink += call.run(off).hashCode());
        v.put(
                "JFR recording on, joblib4j events off",
                () -> withRecording(false, () -> sink += call.run(off).hashCode()));
        v.put(
                "JFR recording with joblib4j events",
                () -> withRecording(true, () -> sink += call.run(off).hashCode()));
        v.put("CallListener registered", () -> {
            try (var r = CallListener.register(new CallListener() {})) {
                sink += call.run(off).hashCode();
            }
        });
        v.put("timeline report", () -> sink += call.run(withTimeline).hashCode());
        return v;
    }

    private static void withRecording(boolean ours, Body body) throws Exception {
        try (Recording r = new Recording()) {
            if (ours) {
                for (String name : List.of("io.joblib4j.Call", "io.joblib4j.Batch")) {
                    r.enable(name);
                }
            }
            r.enable("jdk.CPULoad");
            r.setToDisk(false);
            r.start();
            body.run();
            r.stop();
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
                long start = System.nanoTime();
                e.getValue().run();
                times.get(e.getKey())[r] = (System.nanoTime() - start) / 1e9;
            }
        }
        double base = median(times.get("off"));
        for (Map.Entry<String, double[]> e : times.entrySet()) {
            double m = median(e.getValue());
            t.row(
                    workload,
                    e.getKey(),
                    String.format(Locale.ROOT, "%.4f", m),
                    String.format(
                            Locale.ROOT,
                            "%.4f",
                            Arrays.stream(e.getValue()).min().orElseThrow()),
                    String.format(Locale.ROOT, "%.3f", m / base));
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
