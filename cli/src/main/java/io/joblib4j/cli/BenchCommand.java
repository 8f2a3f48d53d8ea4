package io.joblib4j.cli;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ./joblib4j bench SUITE [ARGS...]}: the performance suites of the bench module, side by side with Python joblib
 * where it is installed. Each prints Markdown tables of ratios measured in one run.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Run a performance suite and print its tables (ratios measured in one run).",
            "Suites:",
            "  parallel [sleep|tiny|cpu|memory]   Parallel on threads and virtual threads, beside Python joblib",
            "  persist [REPS] [DIR]                dump/load of arrays and objects with every codec",
            "  memory [DIR]                        Memory: cold calls, cache hits, eviction",
            "  processes [cold|calls|tiny|memmap|array|array1|scaling]",
            "                                      the worker-JVM backend beside threads: cold start, small calls,",
            "                                      tiny-task throughput, large shared arrays (time and peak memory)",
            "  cluster                             the Hazelcast backend on member JVMs: dispatch overhead,",
            "                                      throughput at 1/2/4 members, recovery after kill -9",
            "  observability [ROUNDS]              the cost of JFR events, a CallListener and a timeline report",
            "  multiprocessing                     JvmProcess, queues, pipes, shared counters and Pool.map beside",
            "                                      Python's multiprocessing",
            "  jmh [JMH options]                   the JMH micro-benchmarks, e.g. a benchmark regex"
        })
final class BenchCommand implements Callable<Integer> {

    /** Suite name -> main class. */
    static final Map<String, String> SUITES = new LinkedHashMap<>();

    static {
        SUITES.put("parallel", "io.joblib4j.bench.parallel.ParallelScenarios");
        SUITES.put("persist", "io.joblib4j.bench.persist.PersistScenario");
        SUITES.put("memory", "io.joblib4j.bench.memory.MemoryScenario");
        SUITES.put("processes", "io.joblib4j.bench.process.ProcessScenarios");
        SUITES.put("cluster", "io.joblib4j.bench.cluster.ClusterScenarios");
        SUITES.put("observability", "io.joblib4j.bench.parallel.ObservabilityScenario");
        SUITES.put("multiprocessing", "io.joblib4j.bench.multiprocessing.MultiprocessingScenarios");
        SUITES.put("jmh", "org.openjdk.jmh.Main");
    }

    @Parameters(
            index = "0",
            paramLabel = "SUITE",
            description = "One of: ${COMPLETION-CANDIDATES}",
            completionCandidates = Suites.class)
    String suite;

    @picocli.CommandLine.Option(
            names = "--report",
            paramLabel = "DIR",
            description = "Also write the suite's charts (PNG and SVG) to DIR, e.g. docs/img.")
    java.nio.file.Path report;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Passed to the suite.")
    List<String> args = new ArrayList<>();

    static final class Suites extends ArrayList<String> {
        Suites() {
            super(SUITES.keySet());
        }
    }

    @Override
    public Integer call() throws Exception {
        String main = SUITES.get(suite);
        if (main == null) {
            System.err.println("unknown suite '" + suite + "'; valid suites are " + String.join(", ", SUITES.keySet()));
            return 2;
        }
        String classPath = benchClassPath();
        if (classPath == null) {
            System.err.println("the benchmarks are not built: run ./mvnw -q -DskipTests package -pl bench -am (or "
                    + "./joblib4j bench, which builds them), or set JOBLIB4J_BENCH_CLASSPATH");
            return 2;
        }
        // The suites run in a JVM of their own, on the bench module's class path: JMH and the statistics libraries
        // are not part of the command line's.
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        if (report != null) {
            command.add("-Djoblib4j.bench.report=" + report.toAbsolutePath());
        }
        command.add("-cp");
        command.add(classPath);
        command.add(main);
        command.addAll(args);
        Process p = new ProcessBuilder(command).inheritIO().start();
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /**
     * The class path of the bench module: {@code JOBLIB4J_BENCH_CLASSPATH}, else {@code bench/target} beside the
     * {@code cli/target} this command runs from; null when neither is there.
     */
    static String benchClassPath() throws Exception {
        String env = System.getenv("JOBLIB4J_BENCH_CLASSPATH");
        if (env != null && !env.isBlank()) {
            return env;
        }
        Path self = Path.of(BenchCommand.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        // cli/target/joblib4j-cli.jar, or cli/target/classes when run from the build tree
        Path cli = self.getParent().getParent();
        Path bench = cli.resolveSibling("bench").resolve("target");
        Path jar = bench.resolve("joblib4j-bench.jar");
        Path lib = bench.resolve("lib");
        if (!Files.isRegularFile(jar) || !Files.isDirectory(lib)) {
            return null;
        }
        return jar + File.pathSeparator + lib.resolve("*");
    }
}
