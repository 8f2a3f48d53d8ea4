package io.joblib4j.bench.array;

import io.joblib4j.array.DType;
import io.joblib4j.array.NdArray;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The mean of one window of 500 000 elements of a 10 M-element array (the docs' {@code windowMean}), read through
 * the raw segment ({@code segment().getAtIndex} with a constant layout: the baseline), through the documented
 * accessors ({@code getFlatDouble(i)}, {@code getDouble(i)}, {@code getDouble(i, j)} on a 2-d view) and with
 * {@code slice(...).mean()}; FLOAT64 by default, {@code -p dtype=INT32} for a converting read.
 *
 * <p>Run: {@code ./joblib4j bench jmh -- NdArrayAccessBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgs = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
public class NdArrayAccessBenchmark {
    static final int N = 10_000_000;
    static final int WINDOW = 500_000;

    @Param({"FLOAT64"})
    public String dtype;

    NdArray data;
    NdArray rows;
    long start;

    @Setup
    public void setUp() {
        data = NdArray.zeros(DType.valueOf(dtype), N);
        for (int i = 0; i < N; i++) {
            data.setFlatDouble(i, i % 1000);
        }
        rows = data.reshape(N / 1000, 1000);
        start = 4_000_000;
    }

    @Benchmark
    public double segmentGetAtIndex() {
        MemorySegment seg = data.segment();
        double sum = 0;
        if (data.dtype() == DType.INT32) {
            for (long i = start; i < start + WINDOW; i++) {
                sum += seg.getAtIndex(ValueLayout.JAVA_INT, i);
            }
        } else {
            for (long i = start; i < start + WINDOW; i++) {
                sum += seg.getAtIndex(ValueLayout.JAVA_DOUBLE, i);
            }
        }
        return sum / WINDOW;
    }

    @Benchmark
    public double getFlatDouble() {
        double sum = 0;
        for (long i = start; i < start + WINDOW; i++) {
            sum += data.getFlatDouble(i);
        }
        return sum / WINDOW;
    }

    @Benchmark
    public double getDouble1d() {
        double sum = 0;
        for (long i = start; i < start + WINDOW; i++) {
            sum += data.getDouble(i);
        }
        return sum / WINDOW;
    }

    @Benchmark
    public double getDouble2d() {
        double sum = 0;
        long r0 = start / 1000;
        for (long r = r0; r < r0 + WINDOW / 1000; r++) {
            for (long c = 0; c < 1000; c++) {
                sum += rows.getDouble(r, c);
            }
        }
        return sum / WINDOW;
    }

    @Benchmark
    public double sliceMean() {
        return data.slice(start, start + WINDOW).mean();
    }
}
