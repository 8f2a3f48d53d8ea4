package io.joblib4j.cli.demo;

import io.joblib4j.Joblib;
import io.joblib4j.array.DType;
import io.joblib4j.array.MmapMode;
import io.joblib4j.array.NdArray;
import io.joblib4j.persist.Compression;
import io.joblib4j.persist.Persistence;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The persistence examples of joblib's documentation on joblib4j: a small list dumped with every codec and
 * loaded back, and a large array dumped, loaded memory-mapped, sliced, and written through the slice.
 */
public final class PersistDemo implements DemoSection {
    @Override
    public String title() {
        return "Persistence";
    }

    @Override
    public void run(DemoReport report) throws Exception {
        report.section(title());
        Path dir = Files.createTempDirectory("joblib4j-demo-persist");
        try {
            long t0 = System.nanoTime();
            Persistence.warmUp();
            report.row(
                    "serializer start-up",
                    "once per JVM",
                    Duration.ofNanos(System.nanoTime() - t0),
                    "Persistence.warmUp(); the first dump pays it otherwise");
            codecs(report, dir);
            memmap(report, dir);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static void codecs(DemoReport report, Path dir) throws Exception {
        NdArray table = NdArray.zeros(DType.FLOAT64, 5, 5);
        for (int i = 0; i < 25; i++) {
            table.setFlatDouble(i, i);
        }
        List<Object> toPersist = List.of("joblib4j", new int[] {1, 2, 3}, table);
        System.out.println("to_persist = " + describe(toPersist));
        for (Compression c : List.of(
                Compression.none(),
                Compression.zlib(3),
                Compression.gzip(3),
                Compression.bz2(3),
                Compression.lzma(3),
                Compression.xz(3),
                Compression.lz4(),
                Compression.zstd(3))) {
            Path f = dir.resolve("to_persist.j4j" + c.extension());
            long t0 = System.nanoTime();
            Joblib.dump(toPersist, f, c);
            List<Object> back = Joblib.load(f);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            boolean same = back.get(0).equals("joblib4j")
                    && Arrays.equals((int[]) back.get(1), new int[] {1, 2, 3})
                    && back.get(2).equals(table);
            report.row(
                    "dump + load [name, int[3], 5x5]",
                    c.toString(),
                    took,
                    Files.size(f) + " bytes, " + (same ? "loaded back equal" : "loaded back DIFFERENT"));
        }
    }

    private static void memmap(DemoReport report, Path dir) throws Exception {
        Path f = dir.resolve("large.j4j");
        double[] data = new double[1_000_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = i;
        }
        long t0 = System.nanoTime();
        Joblib.dump(NdArray.wrap(data), f);
        Duration dumpTime = Duration.ofNanos(System.nanoTime() - t0);
        report.row("dump 10^6 doubles", "uncompressed", dumpTime, Files.size(f) + " bytes");

        t0 = System.nanoTime();
        NdArray large = Joblib.load(f, MmapMode.READ_WRITE);
        Duration openTime = Duration.ofNanos(System.nanoTime() - t0);
        NdArray slice = large.slice(2, 5);
        System.out.println(">>> large_memmap = load(\"large.j4j\", mmap_mode=\"r+\")\n" + large);
        System.out.println(">>> large_memmap[2:5]\n" + Arrays.toString(slice.toDoubleArray()));
        report.row("load mmap_mode=r+", "10^6 doubles", openTime, "mapped at offset " + large.fileOffset());

        t0 = System.nanoTime();
        slice.setFlatDouble(0, -2.0);
        large.force();
        NdArray reread = Joblib.load(f, MmapMode.READ_ONLY);
        Duration writeTime = Duration.ofNanos(System.nanoTime() - t0);
        System.out.println(">>> large_memmap[2:5][0] = -2; load(\"large.j4j\")[2]\n" + reread.getFlatDouble(2));
        report.row(
                "write through slice [2:5][0] = -2",
                "READ_WRITE mapping",
                writeTime,
                reread.getFlatDouble(2) == -2.0 ? "the file holds the write" : "the file DOES NOT hold the write");
    }

    private static String describe(List<Object> l) {
        return "[\"" + l.get(0) + "\", int[] " + Arrays.toString((int[]) l.get(1)) + ", " + l.get(2) + "]";
    }
}
