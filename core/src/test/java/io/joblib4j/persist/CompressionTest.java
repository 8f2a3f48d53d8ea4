package io.joblib4j.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CompressionTest {
    @Test
    void parse_namesLevelsAndJoblibIntegers() {
        assertThat(Compression.parse("zstd")).isEqualTo(Compression.zstd(3));
        assertThat(Compression.parse("ZSTD:9")).isEqualTo(Compression.zstd(9));
        assertThat(Compression.parse("gz:1")).isEqualTo(Compression.gzip(1));
        assertThat(Compression.parse("lz4")).isEqualTo(Compression.lz4());
        assertThat(Compression.parse("true")).isEqualTo(Compression.byDefault());
        assertThat(Compression.parse("false")).isEqualTo(Compression.none());
        assertThat(Compression.parse("0")).isEqualTo(Compression.none());
        assertThat(Compression.parse("3")).isEqualTo(Compression.zlib(3));
        assertThat(Compression.parse(Compression.xz(6).toString())).isEqualTo(Compression.xz(6));
    }

    @Test
    void badLevelsAndNames_areRejectedWithTheValue() {
        assertThatThrownBy(() -> Compression.zlib(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("level 0")
                .hasMessageContaining("1..9");
        assertThatThrownBy(() -> Compression.zstd(23)).hasMessageContaining("1..22");
        assertThatThrownBy(() -> Compression.parse("snappy")).hasMessageContaining("'snappy'");
        assertThatThrownBy(() -> Compression.parse("zstd:x")).hasMessageContaining("'zstd:x'");
    }

    @Test
    void forFile_picksCodecByExtension() {
        assertThat(Compression.forFile(Path.of("a.pkl.zst"))).contains(Compression.zstd());
        assertThat(Compression.forFile(Path.of("a.GZ"))).contains(Compression.gzip());
        assertThat(Compression.forFile(Path.of("a.z"))).contains(Compression.zlib());
        assertThat(Compression.forFile(Path.of("a.lzma"))).contains(Compression.lzma());
        assertThat(Compression.forFile(Path.of("a.j4j"))).isEmpty();
    }

    @Test
    void detect_recognisesEveryMagic() {
        assertThat(Compression.detect(new byte[] {0x78, (byte) 0x9C})).contains(Compression.Codec.ZLIB);
        assertThat(Compression.detect(new byte[] {0x1F, (byte) 0x8B, 8})).contains(Compression.Codec.GZIP);
        assertThat(Compression.detect("BZh9".getBytes(StandardCharsets.US_ASCII)))
                .contains(Compression.Codec.BZ2);
        assertThat(Compression.detect(new byte[] {0x5D, 0, 0, (byte) 0x80})).contains(Compression.Codec.LZMA);
        assertThat(Compression.detect(new byte[] {(byte) 0xFD, '7', 'z', 'X', 'Z', 0}))
                .contains(Compression.Codec.XZ);
        assertThat(Compression.detect(new byte[] {4, 0x22, 0x4D, 0x18})).contains(Compression.Codec.LZ4);
        assertThat(Compression.detect(new byte[] {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD}))
                .contains(Compression.Codec.ZSTD);
        assertThat(Compression.detect(DumpFormat.MAGIC)).isEmpty();
    }
}
