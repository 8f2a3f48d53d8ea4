package io.joblib4j.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.joblib4j.Joblib;
import io.joblib4j.array.NdArray;
import io.joblib4j.array.Npy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of mutated dump and .npy files (seeded, so every failure reproduces): each must load or fail with a
 * {@link PersistException} naming the file, never with another exception, an OutOfMemoryError or a hang.
 * Mutated files that once broke this rule are kept in {@code src/test/resources/fuzz-regressions}.
 */
class CorruptFileFuzzTest {
    static final long SEED = 20241121L;
    static final int ROUNDS = 4000;

    @TempDir
    Path dir;

    static Object graph() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "fuzz");
        m.put("values", new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        m.put("table", NdArray.wrap(new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, 3));
        m.put("list", new ArrayList<>(List.of(1, "two", 3.0, List.of(4))));
        return m;
    }

    private List<byte[]> bases() throws IOException {
        List<byte[]> out = new ArrayList<>();
        for (Compression c : List.of(Compression.none(), Compression.zstd(), Compression.gzip(1), Compression.lz4(),
                Compression.xz(0), Compression.bz2(1), Compression.zlib(1), Compression.lzma(0))) {
            Path f = dir.resolve("base" + c.extension());
            Joblib.dump(graph(), f, c);
            out.add(Files.readAllBytes(f));
        }
        Path npy = dir.resolve("base.npy");
        Npy.save(npy, NdArray.wrap(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
        out.add(Files.readAllBytes(npy));
        return out;
    }

    /**
     * Mutates the metadata of an uncompressed dump and then repairs both checksums, so that the mutation reaches
     * the array table and the object stream decoder instead of being caught by the CRC.
     */
    static byte[] mutateBehindChecksums(byte[] base, Random r) {
        byte[] b = base.clone();
        var hb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int metaLength = (int) hb.getLong(16);
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            int at = DumpFormat.HEADER_SIZE + r.nextInt(metaLength);
            b[at] = r.nextInt(4) == 0 ? (byte) 0xFF : (byte) (b[at] ^ (1 << r.nextInt(8)));
        }
        hb.putInt(56, DumpFormat.crc(b, DumpFormat.HEADER_SIZE, metaLength));
        hb.putInt(60, DumpFormat.crc(b, 0, 60));
        return b;
    }

    static byte[] mutate(byte[] base, Random r) {
        byte[] b = base.clone();
        if (DumpFormat.hasMagic(b) && r.nextInt(3) == 0) {
            return mutateBehindChecksums(base, r);
        }
        switch (r.nextInt(6)) {
            case 0 -> { // truncate anywhere
                return java.util.Arrays.copyOf(b, r.nextInt(b.length));
            }
            case 1 -> { // flip bits
                int n = 1 + r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 2 -> { // random header byte
                int i = r.nextInt(Math.min(b.length, 128));
                b[i] = (byte) r.nextInt(256);
            }
            case 3 -> { // a length-like field set to a huge or negative value
                int i = r.nextInt(Math.max(1, Math.min(b.length - 8, 120)));
                long v = r.nextBoolean() ? Long.MAX_VALUE - r.nextInt(1000) : -1 - r.nextInt(1000);
                for (int k = 0; k < 8 && i + k < b.length; k++) {
                    b[i + k] = (byte) (v >>> (8 * k));
                }
            }
            case 4 -> { // garbage appended or inserted
                byte[] g = new byte[1 + r.nextInt(100)];
                r.nextBytes(g);
                int at = r.nextInt(b.length + 1);
                byte[] out = new byte[b.length + g.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(g, 0, out, at, g.length);
                System.arraycopy(b, at, out, at + g.length, b.length - at);
                return out;
            }
            default -> { // a random block overwritten
                int at = r.nextInt(b.length);
                int len = Math.min(b.length - at, 1 + r.nextInt(32));
                for (int k = 0; k < len; k++) {
                    b[at + k] = (byte) r.nextInt(256);
                }
            }
        }
        return b;
    }

    @Test
    void load_thousandsOfMutatedFiles_failCleanlyWithPersistException() throws Exception {
        List<byte[]> bases = bases();
        Path f = dir.resolve("mutant.bin");
        Random r = new Random(SEED);
        int[] outcomes = new int[2];
        Assertions.assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int round = 0; round < ROUNDS; round++) {
                int which = r.nextInt(bases.size());
                byte[] mutant = mutate(bases.get(which), r);
                Files.write(f, mutant);
                boolean npy = which == bases.size() - 1;
                outcomes[check(f, mutant, npy, "round " + round + " (seed " + SEED + ", base " + which + ")")]++;
            }
        });
        assertThat(outcomes[1]).as("most mutants must be detected as corrupt").isGreaterThan(ROUNDS / 3);
    }

    /**
     * Hard cases kept as fixtures: corruptions behind valid checksums (they reach the array table and the object
     * stream decoder), a valid header claiming an enormous array, and truncations inside compressed streams.
     */
    private void writeHardCases(Path fixtures) throws IOException {
        Files.createDirectories(fixtures);
        List<byte[]> bases = bases();
        Random r = new Random(SEED + 1);
        for (int i = 0; i < 8; i++) {
            Files.write(fixtures.resolve("meta-behind-crc-" + i + ".dump"), mutateBehindChecksums(bases.get(0), r));
        }
        byte[] huge = bases.get(0).clone();
        var hb = java.nio.ByteBuffer.wrap(huge).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        hb.putLong(40, Long.MAX_VALUE - 7);
        hb.putInt(60, DumpFormat.crc(huge, 0, 60));
        Files.write(fixtures.resolve("total-length-max.dump"), huge);
        for (int i = 1; i < bases.size() - 1; i++) {
            byte[] b = bases.get(i);
            Files.write(fixtures.resolve("compressed-truncated-" + i + ".dump"), java.util.Arrays.copyOf(b, b.length / 2));
        }
        byte[] npy = bases.get(bases.size() - 1).clone();
        npy[8] = (byte) 0xFF;
        npy[9] = (byte) 0xFF;
        Files.write(fixtures.resolve("npy-header-length-65535.npy"), npy);
    }

    /** 0 when it loaded, 1 when it failed with a PersistException; anything else fails the test. */
    private int check(Path f, byte[] bytes, boolean npy, String what) {
        try {
            if (npy) {
                Npy.load(f);
                Npy.readHeader(f);
            } else {
                Joblib.load(f);
                Joblib.load(f, MmapMode.READ_ONLY);
                Joblib.load(new ByteArrayInputStream(bytes));
            }
            return 0;
        } catch (PersistException e) {
            if (e.file() == null && !npy) {
                return 1; // the stream variant has no file name to report
            }
            assertThat(e.getMessage()).as(what).contains(f.getFileName().toString());
            return 1;
        } catch (Throwable t) {
            Path keep = Path.of("target", "fuzz-crashers");
            try {
                Files.createDirectories(keep);
                Files.write(keep.resolve(what.replaceAll("[^a-z0-9]+", "-") + (npy ? ".npy" : ".dump")), bytes);
            } catch (IOException ignored) {
                // best effort
            }
            return fail(what + ": expected a PersistException, got " + t, t);
        }
    }

    @Test
    void regressionFixtures_failCleanly() throws Exception {
        Path fixtures = Path.of("src/test/resources/fuzz-regressions");
        if (Boolean.getBoolean("joblib4j.regenerateFuzzFixtures")) {
            writeHardCases(fixtures);
        }
        assertThat(fixtures).isDirectory();
        try (Stream<Path> files = Files.list(fixtures)) {
            for (Path p : files.toList()) {
                byte[] b = Files.readAllBytes(p);
                Path copy = dir.resolve(p.getFileName());
                Files.write(copy, b);
                check(copy, b, p.toString().endsWith(".npy"), p.toString());
            }
        }
    }
}
