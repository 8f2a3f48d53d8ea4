package io.joblib4j.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.joblib4j.Joblib;
import io.joblib4j.array.DType;
import io.joblib4j.array.MmapMode;
import io.joblib4j.array.NdArray;
import io.joblib4j.array.PersistException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Compression#register}: a codec of our own (raw deflate behind a four-byte magic) used by dump and
 * recognised by load. Registrations are JVM-wide, so each test registers its own names and magic bytes.
 */
class CustomCodecTest {
    private static final AtomicInteger NEXT = new AtomicInteger();

    @TempDir
    Path dir;

    /** Raw deflate (no zlib header) after {@code magic}; counts the streams it opened. */
    static final class RawDeflate implements Compression.CustomCodec {
        final byte[] magic;
        final AtomicInteger compressed = new AtomicInteger();
        final AtomicInteger decompressed = new AtomicInteger();

        RawDeflate(byte[] magic) {
            this.magic = magic;
        }

        @Override
        public byte[] magic() {
            return magic;
        }

        @Override
        public OutputStream compress(OutputStream out) throws IOException {
            compressed.incrementAndGet();
            out.write(magic);
            Deflater deflater = new Deflater(6, true);
            return new DeflaterOutputStream(out, deflater, 1 << 16) {
                @Override
                public void close() throws IOException {
                    try {
                        super.close();
                    } finally {
                        deflater.end();
                    }
                }
            };
        }

        @Override
        public InputStream decompress(InputStream in) throws IOException {
            decompressed.incrementAndGet();
            byte[] head = in.readNBytes(magic.length);
            if (!Arrays.equals(head, magic)) {
                throw new IOException("not a raw-deflate stream: bad magic");
            }
            return new InflaterInputStream(in, new Inflater(true), 1 << 16);
        }
    }

    private static String uniqueName() {
        return "rawdeflate-" + NEXT.incrementAndGet() + "-"
                + ProcessHandle.current().pid();
    }

    private static byte[] uniqueMagic() {
        int n = NEXT.incrementAndGet();
        return new byte[] {'R', 'D', (byte) (n >> 8), (byte) n};
    }

    private static List<Object> sample() {
        NdArray table = NdArray.zeros(DType.FLOAT64, 100, 10);
        table.setDouble(4.5, 3, 7);
        return List.of("name", new int[] {1, 2, 3}, table);
    }

    @Test
    void registeredCodec_dumpThenLoad_isRecognisedByItsMagicWhateverTheFileName() throws IOException {
        RawDeflate codec = new RawDeflate(uniqueMagic());
        Compression c = Compression.register(uniqueName(), codec);
        Path file = dir.resolve("data.bin");
        Joblib.dump(sample(), file, c);

        assertThat(Arrays.copyOf(Files.readAllBytes(file), 4)).isEqualTo(codec.magic);
        List<Object> back = Joblib.load(file);
        assertThat((int[]) back.get(1)).containsExactly(1, 2, 3);
        assertThat(((NdArray) back.get(2)).getDouble(3, 7)).isEqualTo(4.5);
        assertThat(codec.compressed).hasValue(1);
        assertThat(codec.decompressed).hasValue(1);
        assertThat(Compression.detect(Files.readAllBytes(file))).contains(Compression.Codec.CUSTOM);
        assertThat(Compression.detectCompression(Files.readAllBytes(file))).contains(c);
        assertThat(DumpInfo.read(file).codec()).isEqualTo(Compression.Codec.CUSTOM);
    }

    @Test
    void registeredCodec_loadWithMmap_comesBackOnTheHeap() throws IOException {
        Compression c = Compression.register(uniqueName(), new RawDeflate(uniqueMagic()));
        Path file = dir.resolve("data.bin");
        Joblib.dump(sample(), file, c);
        List<Object> back = Joblib.load(file, MmapMode.READ_ONLY);
        assertThat(((NdArray) back.get(2)).file()).isEmpty();
        assertThat(((NdArray) back.get(2)).getDouble(3, 7)).isEqualTo(4.5);
    }

    @Test
    void registeredCodec_onStreams_roundTrips() throws IOException {
        Compression c = Compression.register(uniqueName(), new RawDeflate(uniqueMagic()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Joblib.dump(sample(), out, c);
        List<Object> back = Joblib.load(new ByteArrayInputStream(out.toByteArray()));
        assertThat(back.get(0)).isEqualTo("name");
    }

    @Test
    void registeredCodec_isNamedByParseAndSelectedByItsExtension() throws IOException {
        String name = uniqueName();
        RawDeflate codec = new RawDeflate(uniqueMagic());
        Compression c = Compression.register(name, codec);
        assertThat(Compression.parse(name)).isEqualTo(c);
        assertThat(Compression.parse(name.toUpperCase(Locale.ROOT))).isEqualTo(c);
        assertThat(c.toString()).isEqualTo(name);
        assertThat(c.registeredName()).contains(name);
        assertThat(c.extension()).isEqualTo("." + name);
        assertThat(Compression.forFile(Path.of("x.pkl." + name))).contains(c);

        Path file = dir.resolve("x.pkl." + name);
        Joblib.dump(List.of(1, 2), file);
        assertThat(codec.compressed).hasValue(1);
        assertThat(Arrays.copyOf(Files.readAllBytes(file), 4)).isEqualTo(codec.magic);
        List<Integer> back = Joblib.load(file);
        assertThat(back).containsExactly(1, 2);
        assertThatThrownBy(() -> Compression.parse(name + ":3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(name + ":3")
                .hasMessageContaining("no level");
    }

    @Test
    void register_takenNamesAndClashingMagic_areRejectedNamingTheValues() {
        String name = uniqueName();
        byte[] magic = uniqueMagic();
        Compression.register(name, new RawDeflate(magic));
        assertThatThrownBy(() -> Compression.register("zstd", new RawDeflate(uniqueMagic())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'zstd'")
                .hasMessageContaining("taken");
        assertThatThrownBy(() -> Compression.register(name, new RawDeflate(uniqueMagic())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(name)
                .hasMessageContaining("taken");
        assertThatThrownBy(() -> Compression.register(uniqueName(), new RawDeflate(magic.clone())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clashes")
                .hasMessageContaining(name);
        assertThatThrownBy(() -> Compression.register(
                        uniqueName(), new RawDeflate(new byte[] {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, 1})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zstd stream")
                .hasMessageContaining("28 b5 2f fd 01");
        assertThatThrownBy(() -> Compression.register(uniqueName(), new RawDeflate(new byte[] {(byte) 0x89, 'J'})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("joblib4j dump");
        assertThatThrownBy(() -> Compression.register(uniqueName(), new RawDeflate(new byte[] {0x78, 0x01, 2, 3})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zlib");
        assertThatThrownBy(() -> Compression.register(uniqueName(), new RawDeflate(new byte[] {'Q'})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 bytes, expected 2 to 8");
        assertThatThrownBy(() -> Compression.register("no spaces", new RawDeflate(uniqueMagic())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'no spaces'");
    }

    @Test
    void fileOfAnUnregisteredCodec_failsAsNotADump(@TempDir Path other) throws IOException {
        Path file = Files.write(
                other.resolve("unknown.bin"),
                new byte[] {'R', 'D', (byte) 0xFF, (byte) 0xFF, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        assertThatThrownBy(() -> Joblib.load(file))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining(file.toString());
    }
}
