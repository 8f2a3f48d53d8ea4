package io.joblib4j.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.Joblib;
import io.joblib4j.array.NdArray;
import io.joblib4j.persist.Compression;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples of docs/persistence.md about NdArray's operations and custom codecs. */
class NdArrayDocExamplesTest {
    @TempDir
    Path dir;

    @Test
    void ndarrayOperations() {
        // doc:ndarray-ops
        NdArray m = NdArray.wrap(new double[] {0, 1, 2, 3, 4, 5, 6, 7, 8}, 3, 3);
        System.out.println(m);
        // NdArray([[0., 1., 2.],
        //          [3., 4., 5.],
        //          [6., 7., 8.]], shape=(3, 3), dtype=float64)
        double total = m.sum(); // 36.0    NumPy: m.sum()
        double middleRow = m.slice(1, 2).mean(); // 4.0     m[1:2].mean()
        double low = m.min(), high = m.max(); // 0.0, 8.0
        boolean same = m.allclose(m.copy(), 1e-5, 1e-8); // true    np.allclose(m, m.copy())
        double corner = m.getDouble(2, 2); // 8.0, as fast as reading the MemorySegment
        // end:ndarray-ops
        assertThat(m.toString())
                .isEqualTo("NdArray([[0., 1., 2.],\n         [3., 4., 5.],\n"
                        + "         [6., 7., 8.]], shape=(3, 3), dtype=float64)");
        assertThat(total).isEqualTo(36.0);
        assertThat(middleRow).isEqualTo(4.0);
        assertThat(low).isEqualTo(0.0);
        assertThat(high).isEqualTo(8.0);
        assertThat(same).isTrue();
        assertThat(corner).isEqualTo(8.0);
    }

    @Test
    void customCodec() throws IOException {
        List<Object> data = List.of("weights", new double[] {1, 2, 3});
        // doc:custom-codec
        // Raw deflate behind four magic bytes: load recognises the file by them, whatever it is called.
        Compression rawDeflate = Compression.register("rawdeflate", new Compression.CustomCodec() {
            @Override
            public byte[] magic() {
                return new byte[] {'R', 'D', 'F', '1'};
            }

            @Override
            public OutputStream compress(OutputStream out) throws IOException {
                out.write(magic());
                return new DeflaterOutputStream(out, new Deflater(6, true));
            }

            @Override
            public InputStream decompress(InputStream in) throws IOException {
                in.readNBytes(4); // the magic
                return new InflaterInputStream(in, new Inflater(true));
            }
        });
        Joblib.dump(data, dir.resolve("data.j4j"), rawDeflate);
        Object back = Joblib.load(dir.resolve("data.j4j")); // no codec to name
        Joblib.dump(data, dir.resolve("data.j4j.rawdeflate")); // the extension picks it too
        // end:custom-codec
        assertThat(((List<?>) back).get(0)).isEqualTo("weights");
        assertThat(Files.readAllBytes(dir.resolve("data.j4j.rawdeflate"))).startsWith('R', 'D', 'F', '1');
        assertThat(Compression.parse("rawdeflate")).isSameAs(rawDeflate);
    }
}
