package io.joblib4j.bench.persist;

import io.joblib4j.hash.Hash128;
import io.joblib4j.hash.Hashing;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
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
 * The checksum of an 8 MB array (XXH3-128, as dumps store and heap loads verify it) over each kind of memory
 * segment, after the JVM has seen all of them, beside a plain copy of the same bytes. A real application passes
 * the checksum heap {@code double[]} and {@code long[]} segments, off-heap and mapped ones: when the hash loop read
 * segments element by element, that mix made it ten times slower than with one kind (an uncompressed load of
 * 80 MB went from 22 to 148 ms); this benchmark shows such a regression as {@code checksum} far above {@code copy}.
 *
 * <p>Run: {@code ./joblib4j bench jmh -- ChecksumBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class ChecksumBenchmark {
    private static final int BYTES = 8 << 20;

    @Param({"heapDouble", "heapLong", "offHeap", "mapped"})
    public String kind;

    private Arena arena;
    private Path file;
    private MemorySegment segment;
    private byte[] target;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        arena = Arena.ofShared();
        double[] doubles = new double[BYTES / 8];
        for (int i = 0; i < doubles.length; i++) {
            doubles[i] = Math.sin(i * 1e-4) * 100;
        }
        MemorySegment heapDouble = MemorySegment.ofArray(doubles);
        long[] longs = new long[BYTES / 8];
        MemorySegment heapLong = MemorySegment.ofArray(longs);
        heapLong.copyFrom(heapDouble);
        MemorySegment offHeap = arena.allocate(BYTES, 64);
        offHeap.copyFrom(heapDouble);
        file = Files.createTempFile("joblib4j-checksum", ".bin");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(offHeap.asByteBuffer()); // a heap segment of a double[] has no ByteBuffer view
        }
        MemorySegment mapped;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, BYTES, arena);
        }
        // every kind passes through the checksum before any is measured, as in an application that dumps and loads
        for (int round = 0; round < 50; round++) {
            for (MemorySegment s : List.of(heapDouble, heapLong, offHeap, mapped)) {
                Hashing.xxh3(s.asSlice(0, 1 << 16), 8, ByteOrder.LITTLE_ENDIAN);
            }
        }
        segment = switch (kind) {
            case "heapDouble" -> heapDouble;
            case "heapLong" -> heapLong;
            case "offHeap" -> offHeap;
            case "mapped" -> mapped;
            default -> throw new IllegalArgumentException("kind " + kind);
        };
        target = new byte[BYTES];
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        arena.close();
        Files.deleteIfExists(file);
    }

    @Benchmark
    public Hash128 checksum() {
        return Hashing.xxh3(segment, 8, ByteOrder.LITTLE_ENDIAN);
    }

    @Benchmark
    public byte[] copy() {
        MemorySegment.copy(segment, 0, MemorySegment.ofArray(target), 0, BYTES);
        return target;
    }
}
