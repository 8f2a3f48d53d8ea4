package io.joblib4j.persist;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.joblib4j.Joblib;
import io.joblib4j.array.NdArray;
import io.joblib4j.array.PersistException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of bad input gives a PersistException naming the file, the offset and what was expected. */
class BadFileTest {
    @TempDir
    Path dir;

    byte[] good;

    @BeforeEach
    void writeGood() throws Exception {
        Path f = dir.resolve("good.j4j");
        Joblib.dump(List.of("x", NdArray.wrap(new double[1000])), f);
        good = Files.readAllBytes(f);
    }

    private Path file(byte[] bytes) throws Exception {
        Path f = dir.resolve("bad.j4j");
        Files.write(f, bytes);
        return f;
    }

    @Test
    void load_truncatedFile_reportsOffset() throws Exception {
        Path f = file(Arrays.copyOf(good, good.length - 100));
        assertThatThrownBy(() -> Joblib.load(f))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining("bad.j4j")
                .hasMessageContaining("at offset " + (good.length - 100))
                .hasMessageContaining("truncated");
        Path g = file(Arrays.copyOf(good, 30));
        assertThatThrownBy(() -> Joblib.load(g))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining("at offset 30")
                .hasMessageContaining("inside the 64-byte header");
    }

    @Test
    void load_foreignFile_saysItIsNotADump() throws Exception {
        Path f = file("just some text that is long enough to fill a header, and some more"
                .getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> Joblib.load(f))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining("not a joblib4j dump")
                .hasMessageContaining("at offset 0");
    }

    @Test
    void load_unknownCodecId_namesIt() throws Exception {
        byte[] b = good.clone();
        b[10] = 99;
        assertThatThrownBy(() -> Joblib.load(file(b)))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining("unknown codec id 99")
                .hasMessageContaining("at offset 10");
    }

    @Test
    void load_flippedHeaderByte_failsChecksum() throws Exception {
        byte[] b = good.clone();
        b[20] ^= 1;
        assertThatThrownBy(() -> Joblib.load(file(b)))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining("header checksum")
                .hasMessageContaining("at offset 60");
    }

    @Test
    void load_flippedMetadataByte_failsChecksum() throws Exception {
        byte[] b = good.clone();
        b[70] ^= 1;
        assertThatThrownBy(() -> Joblib.load(file(b)))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining("metadata checksum")
                .hasMessageContaining("at offset 64");
    }

    @Test
    void load_lengthLargerThanFile_isRefusedWithoutAllocating() throws Exception {
        byte[] b = good.clone();
        ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        h.putLong(40, Long.MAX_VALUE / 2);
        h.putInt(60, DumpFormat.crc(b, 0, 60));
        assertThatThrownBy(() -> Joblib.load(file(b)))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining("truncated")
                .hasMessageContaining(Long.toString(Long.MAX_VALUE / 2));
    }

    @Test
    void load_newerFormatVersion_saysSo() throws Exception {
        byte[] b = good.clone();
        b[8] = 7;
        assertThatThrownBy(() -> Joblib.load(file(b)))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining("format version 7 is not supported")
                .hasMessageContaining("at offset 8");
    }

    @Test
    void load_missingFile_isNoSuchFile() {
        assertThatThrownBy(() -> Joblib.load(dir.resolve("absent.j4j")))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
    }
}
