package io.joblib4j.bench.parallel;

import io.joblib4j.parallel.Parallel;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of a whole {@code Parallel.map} call over tiny tasks ({@code Math.sqrt}), against a plain loop and a
 * parallel stream.
 *
 * <p>Run: {@code ./joblib4j bench jmh ParallelOverheadBenchmark -f 1 -wi 3 -i 5}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgs = {"--enable-native-access=ALL-UNNAMED"})
public class ParallelOverheadBenchmark {

    @Param({"1000", "100000"})
    int n;

    List<Integer> input;
    Parallel parallel;
    ExecutorService pool;

    @Setup(Level.Trial)
    public void setUp() {
        input = IntStream.range(0, n).boxed().toList();
        parallel = Parallel.of(2);
        pool = Executors.newFixedThreadPool(2);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        parallel.close();
        pool.shutdownNow();
    }

    @Benchmark
    public List<Double> joblib4jThreads() {
        return parallel.map(x -> Math.sqrt(x), input);
    }

    @Benchmark
    public List<Double> parallelStream() {
        return input.parallelStream().map(x -> Math.sqrt(x)).toList();
    }

    @Benchmark
    public List<Double> plainLoop() {
        java.util.ArrayList<Double> out = new java.util.ArrayList<>(input.size());
        for (Integer x : input) {
            out.add(Math.sqrt(x));
        }
        return out;
    }
}
