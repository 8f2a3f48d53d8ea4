package io.joblib4j.array;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws Exception {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    static byte[] npy(String dict, int dataBytes) {
        byte[] text = dict.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[10 + text.length + dataBytes];
        System.arraycopy(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}, 0, out, 0, 8);
        out[8] = (byte) text.length;
        out[9] = (byte) (text.length >> 8);
        System.arraycopy(text, 0, out, 10, text.length);
        return out;
    }

    @Test
    void save_headerIs64ByteAligned_andRoundTrips() throws Exception {
        NdArray a = NdArray.wrap(new short[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Path f = dir.resolve("a.npy");
        Npy.save(f, a);
        Npy.Header h = Npy.readHeader(f);
        assertThat(h.dataOffset() % 64).isZero();
        assertThat(h.descr()).isEqualTo("<i2");
        assertThat(Npy.load(f)).isEqualTo(a);
    }

    @Test
    void load_wrongMagic_namesFileAndOffset() throws Exception {
        Path f = write("bad.npy", "hello world, not numpy".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> Npy.load(f))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining("bad.npy")
                .hasMessageContaining("at offset 0")
                .hasMessageContaining("magic");
    }

    @Test
    void load_unsupportedDtype_namesIt() throws Exception {
        Path f = write("c.npy", npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }\n", 8));
        assertThatThrownBy(() -> Npy.load(f))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining("'<c8'")
                .hasMessageContaining("at offset 10");
    }

    @Test
    void load_dataShorterThanShape_reportsOffset() throws Exception {
        byte[] full = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }\n", 32);
        Path f = write("short.npy", java.util.Arrays.copyOf(full, full.length - 5));
        assertThatThrownBy(() -> Npy.load(f))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining("short.npy")
                .hasMessageContaining("27 of 32 data bytes");
        assertThatThrownBy(() -> Npy.readHeader(f))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining("needs 32 data bytes");
    }

    @Test
    void load_hugeHeaderLength_isRefusedWithoutAllocating() throws Exception {
        byte[] b = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F};
        Path f = write("huge.npy", b);
        assertThatThrownBy(() -> Npy.load(f))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining("header length")
                .hasMessageContaining("at offset 8");
    }

    @Test
    void load_hugeShape_isRefused() throws Exception {
        Path f = write("big.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4000000000000,), }\n", 0));
        assertThatThrownBy(() -> Npy.load(f)).isInstanceOf(PersistException.class);
    }
}
