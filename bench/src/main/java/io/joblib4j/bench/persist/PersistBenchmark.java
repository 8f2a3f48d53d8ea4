package io.joblib4j.bench.persist;

import io.joblib4j.Joblib;
import io.joblib4j.array.MmapMode;
import io.joblib4j.array.NdArray;
import io.joblib4j.persist.Compression;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
 * JMH micro-benchmarks of dump, load, memory-mapped open and hashing of an 8 MB {@code double[]}.
 *
 * <p>Run: {@code ./mvnw -q -B -pl core,bench -am package -DskipTests dependency:build-classpath
 * -Dmdep.outputFile=target/classpath.txt && java --enable-native-access=ALL-UNNAMED -cp
 * "bench/target/classes:core/target/classes:$(cat bench/target/classpath.txt)" org.openjdk.jmh.Main
 * PersistBenchmark -f 1 -wi 3 -i 5}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class PersistBenchmark {
    @Param({"none", "zstd:3", "lz4"})
    public String codec;

    private double[] data;
    private NdArray array;
    private Path dir;
    private Path file;
    private Path out;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        data = new double[1 << 20];
        Random r = new Random(1);
        for (int i = 0; i < data.length; i++) {
            data[i] = Math.sin(i * 1e-4) * 100 + r.nextGaussian() * 1e-3;
        }
        array = NdArray.wrap(data);
        dir = Files.createTempDirectory("joblib4j-jmh");
        file = dir.resolve("in.j4j");
        out = dir.resolve("out.j4j");
        Joblib.dump(array, file, Compression.parse(codec));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(out);
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public void dump() throws IOException {
        Joblib.dump(array, out, Compression.parse(codec));
    }

    @Benchmark
    public Object load() throws IOException {
        return Joblib.load(file);
    }

    @Benchmark
    public Object loadMmap() throws IOException {
        return Joblib.load(file, MmapMode.READ_ONLY);
    }

    @Benchmark
    public String hash8MB() {
        return Joblib.hash(data);
    }
}
