package io.joblib4j.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dynatrace.hash4j.hashing.HashValue128;
import io.joblib4j.Joblib;
import io.joblib4j.SerializableFunction;
import io.joblib4j.array.DType;
import io.joblib4j.array.NdArray;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class HashingTest {
    record Point(int x, int y) {}

    static final class Node {
        String name;
        Node next;

        Node(String name) {
            this.name = name;
        }
    }

    static class Base {
        int a = 1;
    }

    static final class Derived extends Base {
        String b;
        transient Object ignored = new Object();

        Derived(String b) {
            this.b = b;
        }
    }

    @Test
    void hash_is32LowerHexChars() {
        assertThat(Joblib.hash("x")).matches("[0-9a-f]{32}");
    }

    @Test
    void hash_goldenValues_stableAcrossRunsAndMachines() {
        assertThat(Joblib.hash(null)).isEqualTo(GOLDEN_NULL);
        assertThat(Joblib.hash("joblib4j")).isEqualTo(GOLDEN_STRING);
        assertThat(Joblib.hash(List.of(1, 2L, 3.0, "four"))).isEqualTo(GOLDEN_LIST);
        assertThat(Joblib.hash(Map.of("a", 1, "b", List.of(true, false)))).isEqualTo(GOLDEN_MAP);
        assertThat(Joblib.hash(new Point(3, 4))).isEqualTo(GOLDEN_RECORD);
        assertThat(Joblib.hash(ramp(1000))).isEqualTo(GOLDEN_DOUBLES);
        assertThat(Joblib.hash(NdArray.wrap(ramp(12), 3, 4))).isEqualTo(GOLDEN_NDARRAY);
    }

    static final String GOLDEN_NULL = "a6cd5e9392000f6ac44bdff4074eecdb";
    static final String GOLDEN_STRING = "f4d97e88b6ea2b3e31d60a574670af90";
    static final String GOLDEN_LIST = "2850b42a93dd5a2d81cdbdbbab921d8a";
    static final String GOLDEN_MAP = "c9cfe6964884f44575ab8b99d96b4faf";
    static final String GOLDEN_RECORD = "cc254573ea0e2a54c3bc9e6879a71e95";
    static final String GOLDEN_DOUBLES = "33ef7ac9d73cd6d0adb4e28381135b9a";
    static final String GOLDEN_NDARRAY = "7dbf28889afc6f91d31eede9d3c161bb";

    static double[] ramp(int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = i * 0.5;
        }
        return d;
    }

    @Test
    @SuppressWarnings("JdkObsolete") // a LinkedList on purpose: lists of different classes hash alike
    void hash_mapAndSetOrderDoesNotMatter_listOrderDoes() {
        Map<String, Integer> a = new LinkedHashMap<>();
        a.put("x", 1);
        a.put("y", 2);
        Map<String, Integer> b = new LinkedHashMap<>();
        b.put("y", 2);
        b.put("x", 1);
        assertThat(Joblib.hash(a)).isEqualTo(Joblib.hash(b)).isEqualTo(Joblib.hash(new TreeMap<>(a)));
        Set<String> s1 = new HashSet<>(List.of("p", "q", "r"));
        Set<String> s2 = new java.util.TreeSet<>(List.of("r", "q", "p"));
        assertThat(Joblib.hash(s1)).isEqualTo(Joblib.hash(s2));
        assertThat(Joblib.hash(List.of(1, 2))).isNotEqualTo(Joblib.hash(List.of(2, 1)));
        assertThat(Joblib.hash(new ArrayList<>(List.of(1, 2)))).isEqualTo(Joblib.hash(new LinkedList<>(List.of(1, 2))));
        assertThat(Joblib.hash(Map.of("x", 1, "y", 2))).isNotEqualTo(Joblib.hash(Map.of("x", 2, "y", 1)));
    }

    @Test
    void hash_typesAreDistinguished() {
        assertThat(Set.of(
                        Joblib.hash(1),
                        Joblib.hash(1L),
                        Joblib.hash(1.0),
                        Joblib.hash("1"),
                        Joblib.hash('1'),
                        Joblib.hash(new int[] {1}),
                        Joblib.hash(new long[] {1}),
                        Joblib.hash(List.of(1))))
                .hasSize(8);
        assertThat(Joblib.hash(new double[] {1, 2})).isNotEqualTo(Joblib.hash(NdArray.wrap(new double[] {1, 2}, 2, 1)));
        assertThat(Joblib.hash(NdArray.wrap(new double[] {1, 2, 3, 4}, 2, 2)))
                .isNotEqualTo(Joblib.hash(NdArray.wrap(new double[] {1, 2, 3, 4}, 4, 1)));
    }

    @Test
    void hash_recordsAndPojosByFields_identityIrrelevant() {
        assertThat(Joblib.hash(new Point(1, 2)))
                .isEqualTo(Joblib.hash(new Point(1, 2)))
                .isNotEqualTo(Joblib.hash(new Point(2, 1)));
        assertThat(Joblib.hash(new Derived("q")))
                .isEqualTo(Joblib.hash(new Derived("q")))
                .isNotEqualTo(Joblib.hash(new Derived("r")));
        double[] shared = ramp(100);
        assertThat(Joblib.hash(List.of(shared, shared))).isEqualTo(Joblib.hash(List.of(shared, shared.clone())));
    }

    @Test
    void hash_cycles_terminateAndAreStructural() {
        Node a = new Node("a");
        a.next = a;
        Node b = new Node("a");
        b.next = b;
        assertThat(Joblib.hash(a)).isEqualTo(Joblib.hash(b));
        List<Object> self = new ArrayList<>();
        self.add("x");
        self.add(self);
        assertThat(Joblib.hash(self)).matches("[0-9a-f]{32}");
        Node c = new Node("c");
        Node d = new Node("d");
        c.next = d;
        d.next = c;
        assertThat(Joblib.hash(c)).isNotEqualTo(Joblib.hash(d)).isNotEqualTo(Joblib.hash(a));
        assertThat(Joblib.hash(List.of(c, d))).isEqualTo(Joblib.hash(List.of(c, d)));
    }

    @Test
    void hash_serializableLambda_byImplementationAndCapturedValues() {
        int k = 3;
        SerializableFunction<Integer, Integer> f1 = x -> x + k;
        SerializableFunction<Integer, Integer> f2 = makeAdder(3);
        SerializableFunction<Integer, Integer> f3 = makeAdder(4);
        assertThat(Joblib.hash(f2)).isEqualTo(Joblib.hash(makeAdder(3))).isNotEqualTo(Joblib.hash(f3));
        assertThat(Joblib.hash(f1)).isNotEqualTo(Joblib.hash(f2));
        SerializableFunction<Double, Double> ref = Math::sqrt;
        SerializableFunction<Double, Double> ref2 = Math::sqrt;
        assertThat(Joblib.hash(ref)).isEqualTo(Joblib.hash(ref2));
    }

    static Hash128 hash(HashValue128 h) {
        return new Hash128(h.getMostSignificantBits(), h.getLeastSignificantBits());
    }

    static SerializableFunction<Integer, Integer> makeAdder(int k) {
        return x -> x + k;
    }

    @Test
    void hash_nonSerializableLambda_isRejectedWithPath() {
        Function<Integer, Integer> f = x -> x;
        assertThatThrownBy(() -> Joblib.hash(List.of(1, f)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("root[1]")
                .hasMessageContaining("Serializable");
    }

    @Test
    void hash_ndarray_independentOfByteOrderAndBacking() throws Exception {
        double[] data = ramp(10_000);
        NdArray heap = NdArray.wrap(data);
        NdArray big = NdArray.of(
                DType.FLOAT64, ByteOrder.BIG_ENDIAN, MemorySegment.ofArray(new byte[data.length * 8]), data.length);
        big.copyFrom(heap);
        assertThat(Joblib.hash(big)).isEqualTo(Joblib.hash(heap));
        NdArray offHeap = NdArray.zeros(DType.FLOAT64, data.length);
        offHeap.copyFrom(heap);
        assertThat(Joblib.hash(offHeap)).isEqualTo(Joblib.hash(heap));
        assertThat(Joblib.hash(heap.slice(0, 5000))).isEqualTo(Joblib.hash(NdArray.wrap(ramp(5000))));
    }

    @Test
    void xxh3_matchesReferenceOneShotOnEveryPath() {
        Random r = new Random(7);
        for (int size : new int[] {0, 1, 16, 17, 128, 129, 240, 241, 1000, 65536, 65537, 300_000}) {
            byte[] bytes = new byte[size];
            r.nextBytes(bytes);
            HashValue128 ref = com.dynatrace.hash4j.hashing.Hashing.xxh3_128().hashBytesTo128Bits(bytes);
            assertThat(Hashing.xxh3(MemorySegment.ofArray(bytes))).isEqualTo(hash(ref));
            if (size % 8 == 0) {
                long[] longs = MemorySegment.ofArray(bytes).toArray(ValueLayout.JAVA_LONG_UNALIGNED);
                assertThat(Hashing.xxh3(MemorySegment.ofArray(longs)))
                        .as("size %d", size)
                        .isEqualTo(hash(ref));
            }
        }
        for (int i = 0; i < 400; i++) {
            int size = 200 + r.nextInt(i < 200 ? 3000 : 200_000);
            byte[] bytes = new byte[size];
            r.nextBytes(bytes);
            HashValue128 ref = com.dynatrace.hash4j.hashing.Hashing.xxh3_128().hashBytesTo128Bits(bytes);
            MemorySegment offHeap = java.lang.foreign.Arena.ofAuto().allocate(size);
            offHeap.copyFrom(MemorySegment.ofArray(bytes));
            assertThat(Hashing.xxh3(offHeap)).as("size %d", size).isEqualTo(hash(ref));
        }
        // lengths at the 1 KiB blocks and the 16 KiB steps the long loop copies at a time, from an unaligned start
        for (int size : new int[] {1024, 1025, 1088, 2048, 2049, 16383, 16384, 16385, 17408, 17409, 32769}) {
            byte[] bytes = new byte[size];
            r.nextBytes(bytes);
            HashValue128 ref = com.dynatrace.hash4j.hashing.Hashing.xxh3_128().hashBytesTo128Bits(bytes);
            MemorySegment offHeap = java.lang.foreign.Arena.ofAuto().allocate(size + 3L);
            MemorySegment.copy(MemorySegment.ofArray(bytes), 0, offHeap, 3, size);
            assertThat(Hashing.xxh3(offHeap.asSlice(3, size)))
                    .as("size %d", size)
                    .isEqualTo(hash(ref));
        }
        // the reference test vector of XXH3_128bits for the empty input
        assertThat(Hashing.xxh3(MemorySegment.ofArray(new byte[0])).toHex())
                .isEqualTo("99aa06d3014798d86001c324468d497f");
        // each half padded to 16 digits
        assertThat(new Hash128(1, 0xabL).toHex()).isEqualTo("000000000000000100000000000000ab");
    }

    @Test
    void hash_largeArray_isFast() {
        double[] big = new double[1 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = Math.sin(i);
        }
        long t = System.nanoTime();
        String h = Joblib.hash(big);
        assertThat(h).hasSize(32);
        assertThat(System.nanoTime() - t).as("returns promptly").isLessThan(5_000_000_000L);
    }

    @Test
    void hash_arraysOf2MiBOrMore_areATreeOfChunkDigests() {
        int n = (int) (Hashing.TREE_MIN / 8) + 12_345; // 3 chunks, the last one short
        double[] big = new double[n];
        for (int i = 0; i < n; i++) {
            big[i] = Math.sin(i * 1e-3);
        }
        MemorySegment seg = MemorySegment.ofArray(big);
        var xxh3 = com.dynatrace.hash4j.hashing.Hashing.xxh3_128();
        long size = 8L * n;
        int chunks = (int) ((size + Hashing.TREE_CHUNK - 1) / Hashing.TREE_CHUNK);
        var tree = xxh3.hashStream().putLong(size).putInt(chunks);
        for (int k = 0; k < chunks; k++) {
            long from = k * Hashing.TREE_CHUNK;
            var h = Hashing.bulk(
                    seg.asSlice(from, Math.min(Hashing.TREE_CHUNK, size - from)), 8, ByteOrder.nativeOrder());
            tree.putLong(h.getMostSignificantBits()).putLong(h.getLeastSignificantBits());
        }
        assertThat(Hashing.content(seg, 8, ByteOrder.nativeOrder())).isEqualTo(tree.get());
        String h = Joblib.hash(big);
        // every chunk counts, and the byte order of an NdArray's storage does not
        double[] changed = big.clone();
        changed[n - 1] += 1;
        assertThat(Joblib.hash(changed)).isNotEqualTo(h);
        changed = big.clone();
        changed[n / 2] += 1;
        assertThat(Joblib.hash(changed)).isNotEqualTo(h);
        MemorySegment bigEndian = java.lang.foreign.Arena.ofAuto().allocate(size, 8);
        MemorySegment.copy(
                seg,
                java.lang.foreign.ValueLayout.JAVA_DOUBLE,
                0,
                bigEndian,
                java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN),
                0,
                n);
        assertThat(Joblib.hash(io.joblib4j.array.NdArray.of(
                        io.joblib4j.array.DType.FLOAT64, ByteOrder.BIG_ENDIAN, bigEndian, n)))
                .isEqualTo(Joblib.hash(io.joblib4j.array.NdArray.wrap(big)));
    }

    @Test
    void hash_jdkValues() {
        assertThat(Joblib.hash(java.time.LocalDate.of(2024, 1, 2)))
                .isEqualTo(Joblib.hash(java.time.LocalDate.parse("2024-01-02")));
        assertThat(Joblib.hash(java.util.Optional.of(1))).isNotEqualTo(Joblib.hash(java.util.Optional.of(2)));
        assertThat(Joblib.hash(new java.math.BigDecimal("1.0")))
                .isNotEqualTo(Joblib.hash(new java.math.BigDecimal("1.00")));
        assertThat(Joblib.hash(java.nio.file.Path.of("/a"))).isEqualTo(Joblib.hash(java.nio.file.Path.of("/a")));
        assertThat(Joblib.hash(new HashMap<>(Map.of(1, "a")))).isEqualTo(Joblib.hash(Map.of(1, "a")));
    }
}
