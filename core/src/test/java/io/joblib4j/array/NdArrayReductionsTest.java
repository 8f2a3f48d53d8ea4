package io.joblib4j.array;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code sum}, {@code mean}, {@code min}, {@code max}, {@code allclose} and the fixed-arity element accessors. */
class NdArrayReductionsTest {

    /** An array of {@code n} elements 0, 1, 2, ... (mod 100, so they fit every dtype) in the given byte order. */
    private static NdArray ramp(DType dtype, ByteOrder order, int n) {
        NdArray a = NdArray.of(dtype, order, MemorySegment.ofArray(new byte[n * dtype.itemSize()]), n);
        for (int i = 0; i < n; i++) {
            a.setFlatDouble(i, dtype == DType.BOOL ? i % 2 : i % 100);
        }
        return a;
    }

    private static double expectedSum(DType dtype, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += dtype == DType.BOOL ? i % 2 : i % 100;
        }
        return s;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void sumMeanMinMax_everyDtypeAndByteOrder_matchAPlainLoop(DType dtype) {
        int n = 10_007; // several chunks and a partial one
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            NdArray a = ramp(dtype, order, n);
            double max = dtype == DType.BOOL ? 1 : 99;
            assertThat(a.sum()).as(dtype + " " + order).isEqualTo(expectedSum(dtype, n));
            assertThat(a.mean()).as(dtype + " " + order).isCloseTo(expectedSum(dtype, n) / n, within(1e-12));
            assertThat(a.min()).as(dtype + " " + order).isEqualTo(0.0);
            assertThat(a.max()).as(dtype + " " + order).isEqualTo(max);
            assertThat(a.getFlatDouble(57)).isEqualTo(dtype == DType.BOOL ? 1 : 57);
            assertThat(a.getDouble(57)).isEqualTo(dtype == DType.BOOL ? 1 : 57);
        }
    }

    @Test
    void reductions_onASlice_coverOnlyTheSlice() {
        NdArray a = NdArray.wrap(IntStream.range(0, 1000).asDoubleStream().toArray());
        NdArray window = a.slice(100, 200);
        assertThat(window.sum()).isEqualTo(IntStream.range(100, 200).sum());
        assertThat(window.mean()).isEqualTo(149.5);
        assertThat(window.min()).isEqualTo(100);
        assertThat(window.max()).isEqualTo(199);
        NdArray rows = NdArray.wrap(IntStream.range(0, 12).asDoubleStream().toArray(), 4, 3)
                .slice(1, 3);
        assertThat(rows.sum()).isEqualTo(3 + 4 + 5 + 6 + 7 + 8);
    }

    @Test
    void reductions_unsignedAndNegativeValues_convertLikeNumpy() {
        NdArray u8 =
                NdArray.of(DType.UINT8, ByteOrder.nativeOrder(), MemorySegment.ofArray(new byte[] {(byte) 255, 1}), 2);
        assertThat(u8.sum()).isEqualTo(256);
        assertThat(u8.max()).isEqualTo(255);
        NdArray u64 = NdArray.wrap(new long[] {-1L, 0L});
        NdArray asUnsigned = NdArray.of(DType.UINT64, ByteOrder.nativeOrder(), u64.segment(), 2);
        assertThat(asUnsigned.max()).isEqualTo(0x1p64); // 2^64 - 1 as the nearest double
        NdArray i16 = NdArray.wrap(new short[] {-3, 5, -7});
        assertThat(i16.sum()).isEqualTo(-5);
        assertThat(i16.min()).isEqualTo(-7);
        assertThat(NdArray.wrap(new char[] {65535, 1}).sum()).isEqualTo(65536);
        assertThat(NdArray.wrap(new float[] {0.5f, -1.5f}).min()).isEqualTo(-1.5);
        assertThat(NdArray.wrap(new long[] {1L << 40, -(1L << 41)}).sum()).isEqualTo(-(double) (1L << 40));
    }

    @Test
    void minMax_withNan_areNan_emptyArraysHaveNone() {
        NdArray withNan = NdArray.wrap(new double[] {1, Double.NaN, -1});
        assertThat(withNan.min()).isNaN();
        assertThat(withNan.max()).isNaN();
        assertThat(withNan.sum()).isNaN();
        NdArray empty = NdArray.zeros(DType.FLOAT64, 0);
        assertThat(empty.sum()).isZero();
        assertThat(empty.mean()).isNaN();
        assertThatThrownBy(empty::min)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("[0]")
                .hasMessageContaining("minimum");
        assertThatThrownBy(empty::max).isInstanceOf(IllegalStateException.class).hasMessageContaining("maximum");
    }

    @Test
    void sum_manyFloats_isAccurate() {
        int n = 1_000_000;
        double[] d = new double[n];
        java.util.Arrays.fill(d, 0.1);
        assertThat(NdArray.wrap(d).sum()).isCloseTo(100_000.0, within(1e-8));
    }

    @Test
    void allclose_followsNumpysRule() {
        // the examples of numpy.allclose's documentation
        assertThat(NdArray.wrap(new double[] {1e10, 1e-7}).allclose(NdArray.wrap(new double[] {1.00001e10, 1e-8})))
                .isFalse(); // np.allclose: False
        assertThat(NdArray.wrap(new double[] {1e10, 1e-8}).allclose(NdArray.wrap(new double[] {1.00001e10, 1e-9})))
                .isTrue(); // np.allclose: True
        assertThat(NdArray.wrap(new double[] {1e10, 1e-8}).allclose(NdArray.wrap(new double[] {1.0001e10, 1e-9})))
                .isFalse(); // np.allclose: False
        assertThat(NdArray.wrap(new double[] {1.0, 2.0})
                        .allclose(NdArray.wrap(new double[] {1.1, 2.0}), 0, 0.1 + 1e-12))
                .isTrue();
        assertThat(NdArray.wrap(new double[] {1.0}).allclose(NdArray.wrap(new double[] {1.1}), 0.01, 0))
                .isFalse();
        NdArray inf = NdArray.wrap(new double[] {Double.POSITIVE_INFINITY, 1});
        assertThat(inf.allclose(NdArray.wrap(new double[] {Double.POSITIVE_INFINITY, 1})))
                .isTrue();
        assertThat(NdArray.wrap(new double[] {1}).allclose(NdArray.wrap(new double[] {Double.POSITIVE_INFINITY})))
                .isFalse();
        assertThat(NdArray.wrap(new double[] {Double.NaN}).allclose(NdArray.wrap(new double[] {Double.NaN})))
                .isFalse();
        NdArray ints = NdArray.wrap(new int[] {1, 2, 3});
        assertThat(ints.allclose(NdArray.wrap(new double[] {1, 2, 3.00000001}))).isTrue();
        NdArray big = ramp(DType.INT32, ByteOrder.BIG_ENDIAN, 5000);
        assertThat(big.allclose(ramp(DType.FLOAT64, ByteOrder.LITTLE_ENDIAN, 5000)))
                .isTrue();
        NdArray changed = ramp(DType.FLOAT64, ByteOrder.LITTLE_ENDIAN, 5000);
        changed.setFlatDouble(4999, 1000);
        assertThat(big.allclose(changed)).isFalse();
    }

    @Test
    void allclose_badShapesAndTolerances_areRejectedNamingThem() {
        NdArray a = NdArray.wrap(new double[6], 2, 3);
        assertThatThrownBy(() -> a.allclose(NdArray.wrap(new double[6], 3, 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[2, 3]")
                .hasMessageContaining("[3, 2]");
        assertThatThrownBy(() -> a.allclose(a, -1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rtol=-1.0");
    }

    @Test
    void fixedArityAccessors_checkDimensionsAndBounds() {
        NdArray m = NdArray.wrap(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertThat(m.getDouble(1, 2)).isEqualTo(6);
        m.setDouble(-6, 1, 2);
        assertThat(m.getDouble(new long[] {1, 2})).isEqualTo(-6);
        assertThatThrownBy(() -> m.getDouble(2, 0))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("[2, 0]")
                .hasMessageContaining("[2, 3]");
        assertThatThrownBy(() -> m.getDouble(1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[1]")
                .hasMessageContaining("2 [2, 3]");
        NdArray v = NdArray.wrap(new double[] {7, 8});
        v.setDouble(9, 1);
        assertThat(v.getDouble(1)).isEqualTo(9);
        assertThatThrownBy(() -> v.getDouble(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> v.getDouble(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> v.getFlatDouble(2)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void writesInTheOtherByteOrder_landAsThatOrdersBytes() {
        byte[] bytes = new byte[8];
        NdArray big = NdArray.of(DType.FLOAT64, ByteOrder.BIG_ENDIAN, MemorySegment.ofArray(bytes), 1);
        big.setFlatDouble(0, 1.0);
        assertThat(bytes[0]).isEqualTo((byte) 0x3F);
        assertThat(bytes[1]).isEqualTo((byte) 0xF0);
        assertThat(big.getFlatDouble(0)).isEqualTo(1.0);
        byte[] shorts = new byte[2];
        NdArray be16 = NdArray.of(DType.INT16, ByteOrder.BIG_ENDIAN, MemorySegment.ofArray(shorts), 1);
        be16.setFlatLong(0, 0x0102);
        assertThat(shorts).containsExactly(1, 2);
        assertThat(be16.getFlatLong(0)).isEqualTo(0x0102);
        byte[] floats = new byte[4];
        NdArray be32 = NdArray.of(DType.FLOAT32, ByteOrder.BIG_ENDIAN, MemorySegment.ofArray(floats), 1);
        be32.setFlatDouble(0, 1.0);
        assertThat(floats).containsExactly(0x3F, 0x80, 0, 0);
        assertThat(be32.getFlatDouble(0)).isEqualTo(1.0);
    }
}
