package io.joblib4j.array;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NdArray#toString()} against NumPy 2.4's own {@code repr}: the expected strings were printed by
 * {@code np.array2string(a, separator=', ', prefix='NdArray(', suffix=')')} followed by numpy's rule for the
 * {@code shape=..., dtype=...} extras (which NdArray always shows).
 */
class NdArrayFormatTest {

    @Test
    void toString_threeByThree_nestedRowsLikeNumpy() {
        assertThat(NdArray.wrap(new double[] {0, 1, 2, 3, 4, 5, 6, 7, 8}, 3, 3).toString())
                .isEqualTo("""
                        NdArray([[0., 1., 2.],
                                 [3., 4., 5.],
                                 [6., 7., 8.]], shape=(3, 3), dtype=float64)""");
    }

    @Test
    void toString_int32_rightAlignedWithDtype() {
        assertThat(NdArray.wrap(IntStream.range(-5, 7).toArray(), 3, 4).toString())
                .isEqualTo("""
                        NdArray([[-5, -4, -3, -2],
                                 [-1,  0,  1,  2],
                                 [ 3,  4,  5,  6]], shape=(3, 4), dtype=int32)""");
    }

    @Test
    void toString_moreThan1000Elements_elidedWithThreeEdgeItems() {
        assertThat(NdArray.wrap(IntStream.range(0, 2000).asDoubleStream().toArray())
                        .toString())
                .isEqualTo("NdArray([0.000e+00, 1.000e+00, 2.000e+00, ..., 1.997e+03, 1.998e+03,\n"
                        + "         1.999e+03], shape=(2000,), dtype=float64)");
    }

    @Test
    void toString_threeDimensions_blankLineBetweenBlocks() {
        assertThat(NdArray.wrap(LongStream.range(0, 24).toArray(), 2, 3, 4).toString())
                .isEqualTo("""
                        NdArray([[[ 0,  1,  2,  3],
                                  [ 4,  5,  6,  7],
                                  [ 8,  9, 10, 11]],

                                 [[12, 13, 14, 15],
                                  [16, 17, 18, 19],
                                  [20, 21, 22, 23]]], shape=(2, 3, 4), dtype=int64)""");
    }

    @Test
    void toString_bool_trueIsPadded() {
        assertThat(NdArray.copyOf(new boolean[] {true, false, true}).toString())
                .isEqualTo("NdArray([ True, False,  True], shape=(3,), dtype=bool)");
    }

    @Test
    void toString_nanAndInfinities_scientificAndExtrasOnTheirOwnLine() {
        assertThat(NdArray.wrap(new double[] {1e-5, 1.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY
                        })
                        .toString())
                .isEqualTo(
                        "NdArray([1.e-05, 1.e+00,    nan,    inf,   -inf],\n" + "        shape=(5,), dtype=float64)");
    }

    @Test
    void toString_float32_shortestDigitsInSinglePrecision() {
        assertThat(NdArray.wrap(new float[] {0.1f, 1f / 3, 2.5f}).toString())
                .isEqualTo("NdArray([0.1       , 0.33333334, 2.5       ], shape=(3,), dtype=float32)");
    }

    @Test
    void toString_longRow_wrapsAt75Characters() {
        assertThat(NdArray.wrap(IntStream.range(0, 30)
                                .mapToDouble(i -> i * 0.125)
                                .toArray())
                        .toString())
                .isEqualTo("""
                        NdArray([0.   , 0.125, 0.25 , 0.375, 0.5  , 0.625, 0.75 , 0.875, 1.   ,
                                 1.125, 1.25 , 1.375, 1.5  , 1.625, 1.75 , 1.875, 2.   , 2.125,
                                 2.25 , 2.375, 2.5  , 2.625, 2.75 , 2.875, 3.   , 3.125, 3.25 ,
                                 3.375, 3.5  , 3.625], shape=(30,), dtype=float64)""");
    }

    @Test
    void toString_zeroDimensional_noBrackets() {
        assertThat(NdArray.wrap(new double[] {5.0}).reshape().toString())
                .isEqualTo("NdArray(5., shape=(), dtype=float64)");
    }

    @Test
    void toString_empty_brackets() {
        assertThat(NdArray.zeros(DType.FLOAT64, 0, 3).toString()).isEqualTo("NdArray([], shape=(0, 3), dtype=float64)");
    }

    @Test
    void toString_summarized2d_elidesRowsAndColumns() {
        assertThat(NdArray.wrap(IntStream.range(0, 10_000).asDoubleStream().toArray(), 100, 100)
                        .toString())
                .isEqualTo("""
                        NdArray([[0.000e+00, 1.000e+00, 2.000e+00, ..., 9.700e+01, 9.800e+01,
                                  9.900e+01],
                                 [1.000e+02, 1.010e+02, 1.020e+02, ..., 1.970e+02, 1.980e+02,
                                  1.990e+02],
                                 [2.000e+02, 2.010e+02, 2.020e+02, ..., 2.970e+02, 2.980e+02,
                                  2.990e+02],
                                 ...,
                                 [9.700e+03, 9.701e+03, 9.702e+03, ..., 9.797e+03, 9.798e+03,
                                  9.799e+03],
                                 [9.800e+03, 9.801e+03, 9.802e+03, ..., 9.897e+03, 9.898e+03,
                                  9.899e+03],
                                 [9.900e+03, 9.901e+03, 9.902e+03, ..., 9.997e+03, 9.998e+03,
                                  9.999e+03]], shape=(100, 100), dtype=float64)""");
    }

    @Test
    void toString_uint8_unsigned() {
        assertThat(NdArray.of(
                                DType.UINT8,
                                ByteOrder.nativeOrder(),
                                MemorySegment.ofArray(new byte[] {0, (byte) 255}),
                                2)
                        .toString())
                .isEqualTo("NdArray([  0, 255], shape=(2,), dtype=uint8)");
    }

    @Test
    void toString_negativeZero_keepsItsSign() {
        assertThat(NdArray.wrap(new double[] {-0.0, 1.5}).toString())
                .isEqualTo("NdArray([-0. ,  1.5], shape=(2,), dtype=float64)");
    }

    @Test
    void toString_largeRange_scientific() {
        assertThat(NdArray.wrap(new double[] {1e10, 1.0}).toString())
                .isEqualTo("NdArray([1.e+10, 1.e+00], shape=(2,), dtype=float64)");
    }

    @Test
    void toString_precision8_roundsAndPadsFractions() {
        assertThat(NdArray.wrap(new double[] {1.0 / 3, 2.0 / 3, 1.0}).toString())
                .isEqualTo("NdArray([0.33333333, 0.66666667, 1.        ], shape=(3,), dtype=float64)");
    }

    @Test
    void toString_mappedArray_namesTheFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        NdArray a = Npy.create(dir.resolve("a.npy"), DType.INT16, 2);
        // the extras do not fit on the first line: numpy puts them on the next one
        assertThat(a.toString())
                .startsWith("NdArray([0, 0],\n        shape=(2,), dtype=int16, mapped=")
                .contains("a.npy@128 READ_WRITE")
                .endsWith(")");
    }

    @Test
    void toString_otherByteOrder_printsTheValues() {
        MemorySegment big =
                MemorySegment.ofArray(new byte[] {0, 0, 0, 7, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFE});
        assertThat(NdArray.of(DType.INT32, ByteOrder.BIG_ENDIAN, big, 2).toString())
                .isEqualTo("NdArray([ 7, -2], shape=(2,), dtype=int32)");
    }

    /** Random arrays of every dtype, shapes and value spreads, printed by NumPy itself when it is installed. */
    @Test
    void toString_randomArrays_matchNumpysOwnOutput(@TempDir Path dir) throws Exception {
        var py = PythonNumpy.find();
        assumeTrue(py.isPresent(), "no Python with NumPy: the live comparison is skipped (the fixed cases still run)");
        Random random = new Random(42);
        long[][] shapes = {{1}, {5}, {17}, {2, 3}, {4, 9}, {3, 2, 2}, {1001}, {40, 30}, {2, 3, 200}, {0}, {}};
        List<String> actual = new ArrayList<>();
        int k = 0;
        for (DType dtype : DType.values()) {
            for (long[] shape : shapes) {
                for (int spread = 0; spread < (dtype.isFloatingPoint() ? 5 : 1); spread++) {
                    NdArray a = NdArray.zeros(dtype, shape);
                    for (long i = 0; i < a.size(); i++) {
                        double v = switch (spread) {
                            case 0 ->
                                dtype.isFloatingPoint()
                                        ? Math.round(random.nextGaussian() * 100) / 8.0
                                        : random.nextInt(dtype == DType.BOOL ? 2 : 120)
                                                - (dtype.name().startsWith("U") ? 0 : 60);
                            case 1 -> random.nextDouble();
                            case 2 -> Math.pow(10, random.nextInt(30) - 15) * random.nextGaussian();
                            case 3 ->
                                random.nextInt(8) == 0
                                        ? Double.NaN
                                        : random.nextInt(8) == 0
                                                ? Double.NEGATIVE_INFINITY
                                                : random.nextGaussian() * 1000;
                            default -> random.nextInt(2000000) - 1000000;
                        };
                        a.setFlatDouble(i, v);
                    }
                    Npy.save(dir.resolve("a" + k++ + ".npy"), a);
                    actual.add(a.toString());
                }
            }
        }
        var r = PythonNupyScript.run(py.get(), k, dir);
        assertThat(r.exitCode()).as(r.output()).isZero();
        List<String> expected =
                List.of(Files.readString(dir.resolve("expected.txt")).split("\n=====\n", -1));
        for (int i = 0; i < k; i++) {
            assertThat(actual.get(i)).as("a%d.npy", i).isEqualTo(expected.get(i));
        }
    }

    /** The script that prints each array as NdArray.toString should: numpy's repr body and extras rule. */
    private static final class PythonNupyScript {
        static PythonNumpy.Result run(String python, int count, Path dir) throws java.io.IOException {
            return PythonNumpy.run(python, """
                    import numpy as np
                    out = []
                    for i in range(%d):
                        a = np.load('a%%d.npy' %% i)
                        prefix = 'NdArray('
                        lst = np.array2string(a, separator=', ', prefix=prefix, suffix=')') if a.size else '[]'
                        arr = prefix + lst + ','
                        extra = 'shape=%%s, dtype=%%s)' %% (a.shape, a.dtype.name)
                        last = len(arr) - (arr.rfind('\\n') + 1)
                        out.append(arr + ('\\n' + ' ' * len(prefix) if last + len(extra) + 1 > 75 else ' ') + extra)
                    open('expected.txt', 'w').write('\\n=====\\n'.join(out))
                    """.formatted(count), dir);
        }
    }
}
