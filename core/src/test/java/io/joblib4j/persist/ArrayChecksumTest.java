package io.joblib4j.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.joblib4j.Joblib;
import io.joblib4j.array.DType;
import io.joblib4j.array.MmapMode;
import io.joblib4j.array.NdArray;
import io.joblib4j.array.PersistException;
import io.joblib4j.memory.CachedFunction;
import io.joblib4j.memory.Memory;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Array data carries XXH3-128 checksums: a flipped bit is found on heap loads. */
class ArrayChecksumTest {
    @TempDir
    Path dir;

    static double[] ramp(int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = i * 0.5;
        }
        return d;
    }

    static List<Object> arrays() {
        NdArray bigEndian = NdArray.zeros(DType.INT32, 40, 5);
        NdArray swapped = NdArray.of(DType.INT32, ByteOrder.BIG_ENDIAN, bigEndian.segment(), 40, 5);
        for (int i = 0; i < 200; i++) {
            swapped.setFlatLong(i, i * 7L);
        }
        boolean[] bools = new boolean[500];
        bools[3] = true;
        return List.of(ramp(1000), ramp(1 << 20), NdArray.wrap(ramp(600), 20, 30), swapped, bools, new int[] {
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17
        });
    }

    /** Flips one bit inside array 0 of an uncompressed dump; returns the offset of the flipped byte. */
    static long flipBitInArrayData(Path f) throws Exception {
        DumpInfo.ArrayInfo a = DumpInfo.read(f).arrays().get(0);
        long at = a.offset() + a.byteSize() / 2;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x04));
            ch.write(b.rewind(), at);
        }
        return at;
    }

    @ParameterizedTest
    @MethodSource("arrays")
    void heapLoad_flippedBitInArrayData_failsNamingTheArrayAndItsOffset(Object array) throws Exception {
        Path f = dir.resolve("a.j4j");
        Joblib.dump(List.of("x", array), f);
        assertThat(Joblib.hash(((List<?>) Joblib.load(f)).get(1))).isEqualTo(Joblib.hash(array));
        flipBitInArrayData(f);
        long offset = DumpInfo.read(f).arrays().get(0).offset();
        assertThatThrownBy(() -> Joblib.load(f))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("array 0")
                .hasMessageContaining("checksum mismatch")
                .satisfies(e -> assertThat(((PersistException) e).offset()).isEqualTo(offset));
        byte[] bytes = Files.readAllBytes(f);
        assertThatThrownBy(() -> Joblib.load(new ByteArrayInputStream(bytes)))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining("checksum mismatch");
        // asked not to verify, the corrupt data loads
        Object unchecked = ((List<?>) Joblib.load(
                        f, LoadOptions.builder().verifyChecksums(false).build()))
                .get(1);
        assertThat(Joblib.hash(unchecked)).isNotEqualTo(Joblib.hash(array));
    }

    @Test
    void largeDump_checksummedWhileWritten_keepsEachArraysChecksumInItsPlace() throws Exception {
        // arrays of megabytes: their checksums are computed on another thread while the dump writes them
        double[] first = ramp(1 << 20);
        long[] second = new long[700_000];
        for (int i = 0; i < second.length; i++) {
            second[i] = 31L * i;
        }
        Path f = dir.resolve("large.j4j");
        Joblib.dump(List.of(first, "between", second), f);
        List<?> back = (List<?>) Joblib.load(f);
        assertThat((double[]) back.get(0)).isEqualTo(first);
        assertThat((long[]) back.get(2)).isEqualTo(second);

        assertThat(DumpInfo.read(f).arrays()).hasSize(2);
        long at = DumpInfo.read(f).arrays().get(1).offset() + 8;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {(byte) 0xFF}), at);
        }
        assertThatThrownBy(() -> Joblib.load(f))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining("array 1")
                .hasMessageContaining("checksum mismatch");
    }

    @Test
    void mmapLoad_isNotVerified_andReadWriteMappingDoesNotRaiseFalseAlarms() throws Exception {
        Path f = dir.resolve("m.j4j");
        Joblib.dump(NdArray.wrap(ramp(1000)), f);
        NdArray rw = Joblib.load(f, MmapMode.READ_WRITE);
        rw.setFlatDouble(3, 42.0);
        rw.force();
        NdArray heap = Joblib.load(f);
        assertThat(heap.getFlatDouble(3)).isEqualTo(42.0);
        flipBitInArrayData(f);
        // a mapped array is not read at load time, so it is not checked
        NdArray mapped = Joblib.load(f, MmapMode.READ_ONLY);
        assertThat(mapped.file()).isPresent();
    }

    static final AtomicInteger CALLS = new AtomicInteger();

    static double[] compute(int n) {
        CALLS.incrementAndGet();
        return ramp(n);
    }

    @Test
    void memory_verifyingChecksums_flippedBitInACachedResult_isRecomputedNotReturned() throws Exception {
        CALLS.set(0);
        Path location = dir.resolve("cache");
        Memory memory = Memory.builder()
                .location(location)
                .verbose(0)
                .loadOptions(LoadOptions.builder()
                        .trustAllClasses()
                        .verifyChecksums(true)
                        .build())
                .build();
        CachedFunction<Integer, double[]> f = memory.cache(ArrayChecksumTest::compute);
        f.apply(10_000);
        Path output;
        try (Stream<Path> files = Files.walk(location)) {
            output = files.filter(p -> p.getFileName().toString().equals("output"))
                    .findFirst()
                    .orElseThrow();
        }
        flipBitInArrayData(output);
        assertThat(f.apply(10_000)).containsExactly(ramp(10_000));
        assertThat(CALLS).hasValue(2);
        assertThat(Memory.builder().location(location).build().loadOptions().verifiesChecksums())
                .as("off by default in Memory: it costs more than 5 % of a hit")
                .isFalse();
    }
}
