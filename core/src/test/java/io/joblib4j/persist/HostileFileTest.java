package io.joblib4j.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.joblib4j.Joblib;
import io.joblib4j.array.DType;
import io.joblib4j.array.MmapMode;
import io.joblib4j.array.NdArray;
import io.joblib4j.array.Npy;
import io.joblib4j.array.PersistException;
import io.joblib4j.internal.process.ChildJvms;
import io.joblib4j.testing.ByteSearch;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Small files that claim (or really expand to) huge arrays, and .npz archives with hostile entry names: each must
 * fail with a {@link PersistException} naming the file (and the entry), after allocating little. Allocation is
 * measured per thread ({@code com.sun.management.ThreadMXBean}), so the tests hold whatever else runs.
 */
class HostileFileTest {
    /** What a refused hostile file may allocate at most: well under a 512 MB heap. */
    static final long SMALL = 100L << 20;

    @TempDir
    Path dir;

    /** Bytes the current thread allocated while running {@code action}. */
    static long allocatedBy(ThrowingRunnable action) throws Exception {
        long before = Allocations.ofCurrentThread();
        action.run();
        return Allocations.ofCurrentThread() - before;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Runs {@code load}, which must throw a PersistException; returns it and checks that it allocated little. */
    static PersistException refusedCheaply(ThrowingRunnable load) throws Exception {
        return refusedAfterAllocating(SMALL, load);
    }

    static PersistException refusedAfterAllocating(long most, ThrowingRunnable load) throws Exception {
        PersistException[] caught = new PersistException[1];
        long bytes = allocatedBy(() -> {
            try {
                load.run();
            } catch (PersistException e) {
                caught[0] = e;
            }
        });
        assertThat(caught[0]).as("a PersistException").isNotNull();
        assertThat(bytes)
                .as("bytes allocated before refusing: " + caught[0].getMessage())
                .isLessThan(most);
        return caught[0];
    }

    /** A .npy header (version 1.0) for {@code shape}, with no data. */
    static byte[] npyHeader(String descr, String shape) {
        return npyHeader("{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }");
    }

    static byte[] npyHeader(String dict) {
        int total = (10 + dict.length() + 1 + 63) / 64 * 64;
        byte[] b = new byte[total];
        byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
        System.arraycopy(magic, 0, b, 0, 8);
        b[8] = (byte) (total - 10);
        b[9] = (byte) ((total - 10) >>> 8);
        byte[] text = dict.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(text, 0, b, 10, text.length);
        Arrays.fill(b, 10 + text.length, total - 1, (byte) ' ');
        b[total - 1] = '\n';
        return b;
    }

    @Test
    void npyLoad_128ByteFileClaimingTwoGigabytes_failsWithoutAllocating() throws Exception {
        byte[] head = npyHeader("|i1", "(2147483000,)");
        byte[] file = Arrays.copyOf(head, 128);
        Path f = dir.resolve("claims-2g.npy");
        Files.write(f, file);
        PersistException e = refusedCheaply(() -> Npy.load(f));
        assertThat(e.getMessage()).contains(f.toString()).contains("2147483000");
        assertThat(e.offset()).isEqualTo(128);
        PersistException s = refusedCheaply(() -> Npy.load(new ByteArrayInputStream(file)));
        assertThat(s.offset()).isGreaterThanOrEqualTo(head.length);
        assertThatThrownBy(() -> Npy.map(f, MmapMode.READ_ONLY))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining(f.toString());
    }

    @Test
    void npyMapAndReadHeader_shapeWhoseByteCountOverflowsWithTheOffset_isPersistException() throws Exception {
        Path f = dir.resolve("overflow.npy");
        byte[] head = npyHeader("<f8", "(1152921504606846975,)"); // 2^63 - 8 data bytes: offset + bytes overflows
        Files.write(f, Arrays.copyOf(head, head.length + 48));
        assertThatThrownBy(() -> Npy.map(f, MmapMode.READ_ONLY))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("at offset " + head.length + ":");
        assertThatThrownBy(() -> Npy.readHeader(f)).isInstanceOf(PersistException.class);
        assertThatThrownBy(() -> Npy.load(f)).isInstanceOf(PersistException.class);
    }

    @Test
    void npyLoad_zeroSizedShapeWhoseOtherDimensionsOverflow_isPersistException() throws Exception {
        for (String fortran : new String[] {"False", "True"}) {
            String dict =
                    "{'descr': '<f8', 'fortran_order': " + fortran + ", 'shape': (3, 0, 3000000000, 4294967297), }";
            byte[] head = npyHeader(dict);
            Path f = dir.resolve("zero-" + fortran + ".npy");
            Files.write(f, head);
            assertThatThrownBy(() -> Npy.load(f))
                    .as(fortran)
                    .isInstanceOf(PersistException.class)
                    .hasMessageContaining(f.toString())
                    .hasMessageContaining("overflows");
        }
    }

    /**
     * An uncompressed dump of one int8 NdArray whose table entry and header claim {@code claimed} bytes, with both
     * CRCs valid (the data itself stays a few bytes).
     */
    static byte[] dumpClaiming(Path scratch, long claimed) throws IOException {
        Joblib.dump(NdArray.wrap(new byte[64]), scratch, Compression.none());
        byte[] b = Files.readAllBytes(scratch);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int entry = DumpFormat.HEADER_SIZE;
        long offset = bb.getLong(entry + 8);
        bb.putLong(entry + 16, claimed);
        bb.putLong(entry + 24, claimed);
        bb.putLong(40, offset + claimed);
        int metaLength = (int) bb.getLong(16);
        bb.putInt(56, DumpFormat.crc(b, DumpFormat.HEADER_SIZE, metaLength));
        bb.putInt(60, DumpFormat.crc(b, 0, 60));
        return b;
    }

    static byte[] compress(Compression c, byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream o = c.compress(out)) {
            o.write(plain);
        }
        return out.toByteArray();
    }

    @Test
    void load_tinyZstdDumpClaimingHugeArray_failsAtOnceNamingFileAndOffset() throws Exception {
        for (long claimed : new long[] {3_000_000_000L, 1_900_000_000L, 200_000_000L}) {
            byte[] zst = compress(Compression.zstd(), dumpClaiming(dir.resolve("scratch"), claimed));
            assertThat(zst.length).isLessThan(400);
            Path f = dir.resolve("claims-" + claimed + ".zst");
            Files.write(f, zst);
            PersistException e = refusedCheaply(() -> Joblib.load(f));
            assertThat(e.getMessage()).contains(f.toString()).contains(String.valueOf(claimed));
            assertThat(e.offset()).isEqualTo(40);
            // a stream has no size to check the header against: arrays are allocated as their bytes arrive
            PersistException s = refusedCheaply(() -> Joblib.load(new ByteArrayInputStream(zst)));
            assertThat(s.offset()).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void load_uncompressedStreamClaimingHugeArray_allocatesOnlyWhatArrives() throws Exception {
        byte[] plain = dumpClaiming(dir.resolve("scratch"), 1_500_000_000L);
        PersistException e = refusedCheaply(() -> Joblib.load(new ByteArrayInputStream(plain)));
        assertThat(e.getMessage()).contains("stream ends inside array 0");
    }

    @Test
    void load_zstdDumpThatReallyExpandsFar_isRefusedAsBomb_unlessTheRatioIsRaised() throws Exception {
        Path f = dir.resolve("zeros.zst");
        Joblib.dump(NdArray.zeros(DType.INT8, 80L << 20), f, Compression.zstd());
        assertThat(Files.size(f)).isLessThan(1 << 20);
        PersistException e = refusedCheaply(() -> Joblib.load(f));
        assertThat(e.getMessage()).contains(f.toString()).contains("maxExpansionRatio");
        // a stream's size is unknown: refused once its output passes the limit (64 MiB), with the array allocated
        // when half of its 80 MiB had arrived
        PersistException s = refusedAfterAllocating(200L << 20, () -> Joblib.load(Files.newInputStream(f)));
        assertThat(s.getMessage()).contains("maxExpansionRatio");
        NdArray back = Joblib.load(
                f,
                LoadOptions.builder()
                        .maxExpansionRatio(Double.POSITIVE_INFINITY)
                        .build());
        assertThat(back.shape()).containsExactly(80L << 20);
    }

    @Test
    void load_honestCompressedDumpOverTheGraceSize_loadsWithDefaults() throws Exception {
        double[] noisy = new java.util.Random(7).doubles(10_000_000).toArray(); // 80 MB, compresses < 2:1
        Path f = dir.resolve("noisy.zst");
        Joblib.dump(noisy, f, Compression.zstd(1));
        double[] back = Joblib.load(f);
        assertThat(back).hasSize(noisy.length);
        assertThat(back[9_999_999]).isEqualTo(noisy[9_999_999]);
    }

    /**
     * Every position of the object stream overwritten in turn with a varint of about 2^31 (a collection size,
     * string length or array length claimed by a few bytes): each load succeeds or fails with a PersistException,
     * after allocating little.
     */
    @Test
    void load_objectStreamWithHugeCountAtEveryPosition_failsCheaply() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("list", new java.util.ArrayList<>(java.util.List.of(1, 2, 3)));
        m.put("set", new java.util.HashSet<>(java.util.List.of("a", "b")));
        m.put("text", "abcdef");
        m.put("small", new long[] {1, 2});
        m.put("map", new java.util.TreeMap<>(Map.of("k", 1.5)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Joblib.dump(m, out, Compression.none());
        byte[] base = out.toByteArray();
        ByteBuffer hb = ByteBuffer.wrap(base).order(ByteOrder.LITTLE_ENDIAN);
        int metaLength = (int) hb.getLong(16);
        int graphLength = (int) hb.getLong(24);
        int graphStart = DumpFormat.HEADER_SIZE + metaLength - graphLength;
        byte[][] values = {
            {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07},
            {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F},
            {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x04}
        };
        int refused = 0;
        for (int at = graphStart; at < DumpFormat.HEADER_SIZE + metaLength; at++) {
            for (byte[] v : values) {
                byte[] b = base.clone();
                System.arraycopy(v, 0, b, at, Math.min(v.length, DumpFormat.HEADER_SIZE + metaLength - at));
                ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
                bb.putInt(56, DumpFormat.crc(b, DumpFormat.HEADER_SIZE, metaLength));
                bb.putInt(60, DumpFormat.crc(b, 0, 60));
                long before = Allocations.ofCurrentThread();
                try {
                    Joblib.load(new ByteArrayInputStream(b));
                } catch (PersistException e) {
                    refused++;
                }
                long bytes = Allocations.ofCurrentThread() - before;
                assertThat(bytes)
                        .as("position " + (at - graphStart) + " of the object stream")
                        .isLessThan(SMALL);
            }
        }
        assertThat(refused).isPositive();
    }

    /** Loads each file named in {@code args} and prints one line per file: its outcome and the milliseconds taken. */
    public static final class Child {
        public static void main(String[] args) {
            boolean allRefused = true;
            for (String a : args) {
                Path f = Path.of(a);
                long t0 = System.nanoTime();
                String outcome;
                try {
                    if (a.endsWith(".npy")) {
                        Npy.load(f);
                    } else if (a.endsWith(".npz")) {
                        Npy.loadNpz(f);
                    } else {
                        Joblib.load(f);
                    }
                    outcome = "LOADED";
                    allRefused = false;
                } catch (PersistException e) {
                    outcome = e.getMessage().contains(a) ? "PersistException" : "PersistException-without-file";
                    allRefused &= outcome.equals("PersistException");
                } catch (Throwable t) {
                    outcome = t.getClass().getName();
                    allRefused = false;
                }
                System.out.println(outcome + " " + (System.nanoTime() - t0) / 1_000_000 + " ms " + f.getFileName());
            }
            System.exit(allRefused ? 0 : 1);
        }
    }

    /** The attacks of the issue, each in a fresh JVM of 512 MB heap: a PersistException, quickly, no Error. */
    @Test
    void hostileFiles_inA512MegabyteJvm_areRefusedWithPersistException() throws Exception {
        List<String> files = new java.util.ArrayList<>();
        Path npy = dir.resolve("claims-2g.npy");
        Files.write(npy, Arrays.copyOf(npyHeader("|i1", "(2147483000,)"), 128));
        files.add(npy.toString());
        for (long claimed : new long[] {3_000_000_000L, 400_000_000L}) {
            Path zst = dir.resolve("claims-" + claimed + ".zst");
            Files.write(zst, compress(Compression.zstd(), dumpClaiming(dir.resolve("scratch"), claimed)));
            files.add(zst.toString());
        }
        Path bomb = dir.resolve("bomb.npz");
        writeBomb(bomb, "x.npy", "(600000000,)", 600_000_000L);
        files.add(bomb.toString());
        Path lying = dir.resolve("short.npz");
        writeBomb(lying, "x.npy", "(2147483000,)", 10);
        files.add(lying.toString());
        Path zeros = dir.resolve("zeros.zst");
        Joblib.dump(NdArray.zeros(DType.INT8, 400L << 20), zeros, Compression.zstd());
        files.add(zeros.toString());
        List<String> cmd = new java.util.ArrayList<>(ChildJvms.command(Child.class, "-Xmx512m"));
        cmd.addAll(files);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS))
                .as(output)
                .isTrue();
        System.out.println("[512m child]\n" + output);
        assertThat(p.exitValue()).as(output).isZero();
        for (String line : output.lines().filter(l -> l.contains(" ms ")).toList()) {
            long ms = Long.parseLong(line.split(" ", -1)[1]);
            assertThat(ms).as(line).isLessThan(10_000); // about a second is the aim; generous on a loaded machine
        }
    }

    @Test
    void expansionLimit_isGraceThenRatioCappedByMaxBytes() {
        LoadOptions d = LoadOptions.defaults();
        assertThat(d.maxExpansionRatio()).isEqualTo(100);
        assertThat(d.expansionLimit(147)).isEqualTo(LoadOptions.EXPANSION_GRACE_BYTES);
        assertThat(d.expansionLimit(10_000_000)).isEqualTo(1_000_000_000L);
        LoadOptions capped = LoadOptions.builder().maxExpandedBytes(1000).build();
        assertThat(capped.expansionLimit(10_000_000)).isEqualTo(1000);
        assertThat(LoadOptions.builder()
                        .maxExpansionRatio(Double.POSITIVE_INFINITY)
                        .build()
                        .expansionLimit(1))
                .isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> LoadOptions.builder().maxExpansionRatio(0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0.5");
        assertThatThrownBy(() -> LoadOptions.builder().maxExpandedBytes(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0");
        assertThat(capped).isNotEqualTo(d);
        assertThat(capped.toBuilder().build()).isEqualTo(capped);
    }

    /** A .npz of one deflated entry: a .npy header for {@code shape} of int8 followed by {@code zeros} zero bytes. */
    static void writeBomb(Path f, String name, String shape, long zeros) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(f))) {
            zip.setLevel(Deflater.BEST_COMPRESSION);
            zip.putNextEntry(new ZipEntry(name));
            zip.write(npyHeader("|i1", shape));
            byte[] block = new byte[1 << 20];
            for (long done = 0; done < zeros; done += block.length) {
                zip.write(block, 0, (int) Math.min(block.length, zeros - done));
            }
            zip.closeEntry();
        }
    }

    @Test
    void loadNpz_deflateBomb_isRefusedNamingFileAndEntry() throws Exception {
        Path f = dir.resolve("bomb.npz");
        writeBomb(f, "x.npy", "(600000000,)", 600_000_000L);
        assertThat(Files.size(f)).isLessThan(700_000);
        PersistException e = refusedCheaply(() -> Npy.loadNpz(f));
        assertThat(e.getMessage())
                .contains(f.toString())
                .contains("entry 'x.npy'")
                .contains("maxExpansionRatio");
    }

    @Test
    void loadNpz_entryExpandingBeyondItsStatedSize_isStoppedByTheBudget() throws Exception {
        Path f = dir.resolve("lying.npz");
        writeBomb(f, "x.npy", "(100000000,)", 100_000_000L);
        PersistException e = refusedCheaply(() -> Npy.loadNpz(f, Npy.DEFAULT_MAX_EXPANSION_RATIO, 10_000_000));
        assertThat(e.getMessage()).contains(f.toString()).contains("entry 'x.npy'");
        Map<String, NdArray> ok = Npy.loadNpz(f, 1e6, Long.MAX_VALUE);
        assertThat(ok.get("x").shape()).containsExactly(100_000_000L);
    }

    @Test
    void loadNpz_shapeLargerThanTheEntry_failsWithoutAllocating() throws Exception {
        Path f = dir.resolve("short.npz");
        writeBomb(f, "x.npy", "(2147483000,)", 10);
        PersistException e = refusedCheaply(() -> Npy.loadNpz(f));
        assertThat(e.getMessage())
                .contains(f.toString())
                .contains("entry 'x.npy'")
                .contains("2147483000");
    }

    /** A stored .npz with one entry of the given name holding a small valid array. */
    static void writeNamed(Path f, String name) throws IOException {
        ByteArrayOutputStream npy = new ByteArrayOutputStream();
        Npy.save(npy, NdArray.wrap(new double[] {1, 2, 3}));
        byte[] bytes = npy.toByteArray();
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(f))) {
            ZipEntry e = new ZipEntry(name);
            CRC32 crc = new CRC32();
            crc.update(bytes);
            e.setMethod(ZipEntry.STORED);
            e.setSize(bytes.length);
            e.setCompressedSize(bytes.length);
            e.setCrc(crc.getValue());
            zip.putNextEntry(e);
            zip.write(bytes);
            zip.closeEntry();
        }
    }

    @Test
    void loadNpz_entryNameWithNul_isPersistExceptionNamingTheEntry() throws Exception {
        Path f = dir.resolve("nul.npz");
        writeNamed(f, "a\u0000b.npy");
        assertThatThrownBy(() -> Npy.loadNpz(f))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("a\\x00b.npy");
    }

    @Test
    void loadNpz_entryNamesThatClimbOrAreAbsolute_areRefused() throws Exception {
        for (String name :
                new String[] {"../evil.npy", "a/../../evil.npy", "/etc/evil.npy", "..\\evil.npy", "C:evil.npy"}) {
            Path f = dir.resolve("climb.npz");
            writeNamed(f, name);
            assertThatThrownBy(() -> Npy.loadNpz(f))
                    .as(name)
                    .isInstanceOf(PersistException.class)
                    .hasMessageContaining(f.toString())
                    .hasMessageContaining("'" + name + "'");
            assertThat(dir.resolve("evil.npy")).doesNotExist();
        }
        Path ok = dir.resolve("nested.npz");
        writeNamed(ok, "group/a.npy");
        assertThat(Npy.loadNpz(ok)).containsOnlyKeys("group/a");
    }

    @Test
    void loadNpz_truncatedAnywhere_isPersistExceptionNamingTheFile() throws Exception {
        Path good = dir.resolve("good.npz");
        Map<String, NdArray> arrays = new LinkedHashMap<>();
        arrays.put("a", NdArray.wrap(new double[] {1, 2, 3, 4}));
        arrays.put("b", NdArray.wrap(new long[] {5, 6, 7}));
        for (boolean compressed : new boolean[] {false, true}) {
            Npy.saveNpz(good, arrays, compressed);
            byte[] b = Files.readAllBytes(good);
            Path cut = dir.resolve("cut.npz");
            for (int n = 0; n < b.length; n++) {
                Files.write(cut, Arrays.copyOf(b, n));
                try {
                    Npy.loadNpz(cut);
                } catch (PersistException e) {
                    assertThat(e.getMessage()).as("cut at " + n).contains(cut.toString());
                }
            }
            // a cut inside an entry's data, with the central directory kept: the entry is named
            byte[] holed = b.clone();
            int at = ByteSearch.indexOf(holed, "b.npy".getBytes(StandardCharsets.US_ASCII)) + 40;
            Arrays.fill(holed, at, at + 16, (byte) 0x55);
            Files.write(cut, holed);
            assertThatThrownBy(() -> Npy.loadNpz(cut))
                    .isInstanceOf(PersistException.class)
                    .hasMessageContaining(cut.toString());
        }
    }
}
