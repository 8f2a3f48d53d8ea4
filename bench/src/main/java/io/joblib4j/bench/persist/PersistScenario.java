package io.joblib4j.bench.persist;

import io.joblib4j.Joblib;
import io.joblib4j.array.MmapMode;
import io.joblib4j.array.NdArray;
import io.joblib4j.array.Npy;
import io.joblib4j.persist.Compression;
import io.joblib4j.persist.LoadOptions;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The persistence scenario of BENCHMARKS.md: an 80 MB {@code double[]} (a smooth function plus small noise, and
 * all ones) dumped and loaded by joblib4j, by a raw {@code FileChannel} write/read of the same bytes (the physical
 * limit), and by Python joblib on the very same array (when {@code /usr/bin/python3} has joblib and NumPy), all in
 * one run; prints a table of best-of-N times and ratios.
 *
 * <p>Run: {@code bench/run-persist.sh [reps] [dir]} (builds core and bench, then runs this class on JDK 25).
 */
public final class PersistScenario {
    private static final int N = 10_000_000; // 80 MB of doubles

    private PersistScenario() {}

    public static void main(String[] args) throws Exception {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("joblib4j-bench-persist");
        Files.createDirectories(dir);
        String python = System.getenv().getOrDefault("JOBLIB4J_PYTHON", "/usr/bin/python3");
        Map<String, double[]> datasets = new LinkedHashMap<>();
        datasets.put("smooth+noise", smooth());
        double[] ones = new double[N];
        java.util.Arrays.fill(ones, 1.0);
        datasets.put("ones", ones);
        System.out.printf(
                Locale.ROOT,
                "joblib4j persistence scenario: %d doubles (%d MB), best of %d, dir %s%n",
                N,
                N * 8L / 1_000_000,
                reps,
                dir);
        for (var e : datasets.entrySet()) {
            run(e.getKey(), e.getValue(), reps, dir, python);
        }
        hash(reps, dir, python);
    }

    static double[] smooth() {
        Random r = new Random(42);
        double[] d = new double[N];
        for (int i = 0; i < N; i++) {
            d[i] = Math.sin(i * 1e-5) * 100 + r.nextGaussian() * 1e-3;
        }
        return d;
    }

    private record Row(String what, double seconds, long bytes, String peer, double peerSeconds, long peerBytes) {}

    private static void run(String name, double[] data, int reps, Path dir, String python) throws Exception {
        NdArray array = NdArray.wrap(data);
        long rawBytes = data.length * 8L;
        Path raw = dir.resolve("raw.bin");
        ByteBuffer direct = ByteBuffer.allocateDirect((int) rawBytes);
        MemorySegment.ofBuffer(direct).copyFrom(MemorySegment.ofArray(data));
        Body rawWriteBody = () -> {
            Files.deleteIfExists(raw);
            try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                direct.clear();
                while (direct.hasRemaining()) {
                    ch.write(direct);
                }
            }
        };
        Body rawReadBody = () -> {
            try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.READ)) {
                direct.clear();
                while (direct.hasRemaining() && ch.read(direct) >= 0) {
                    // keep reading
                }
            }
        };
        // the best plain Java can do to get the bytes into a new double[]: allocate, read, copy
        ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 21);
        Body rawHeapBody = () -> {
            double[] target = new double[data.length];
            MemorySegment dst = MemorySegment.ofArray(target);
            try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.READ)) {
                for (long done = 0; done < rawBytes; ) {
                    chunk.clear().limit((int) Math.min(chunk.capacity(), rawBytes - done));
                    int n = ch.read(chunk, done);
                    MemorySegment.copy(MemorySegment.ofBuffer(chunk.flip()), 0, dst, done, n);
                    done += n;
                }
            }
        };
        Path f = dir.resolve("data.j4j");
        // joblib4j and its raw baseline alternate in one loop, so both see the same state of the machine
        double[] writes = bestAlternating(reps, () -> Joblib.dump(array, f, Compression.none()), rawWriteBody);
        double dump = writes[0];
        double rawWrite = writes[1];
        long size = Files.size(f);
        double[] reads = bestAlternating(reps, () -> Joblib.<NdArray>load(f), rawReadBody, rawHeapBody);
        double load = reads[0];
        double rawRead = reads[1];
        double rawHeap = reads[2];
        Files.delete(raw);
        double mmap = best(reps * 4, () -> Joblib.<NdArray>load(f, MmapMode.READ_ONLY));

        Map<String, String> peer = python(name, data, reps, dir, python);
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("dump uncompressed", dump, size, "raw FileChannel write", rawWrite, rawBytes));
        rows.add(new Row("load uncompressed", load, size, "raw FileChannel read", rawRead, rawBytes));
        rows.add(new Row("load uncompressed", load, size, "raw read into new double[]", rawHeap, rawBytes));
        rows.add(peerRow("dump uncompressed", dump, size, peer, "dump none"));
        rows.add(peerRow("load uncompressed", load, size, peer, "load none"));
        rows.add(peerRow("load mmap READ_ONLY", mmap, size, peer, "load mmap r"));
        for (Compression c : List.of(Compression.byDefault(), Compression.lz4(), Compression.zlib(3))) {
            Path cf = dir.resolve("data.j4j" + c.extension());
            int n = Math.max(1, reps / 2);
            double cd = best(n, () -> Joblib.dump(array, cf, c));
            long cs = Files.size(cf);
            // all-ones data compresses beyond the default expansion limit: this is a trusted file
            LoadOptions trusted = LoadOptions.builder().maxExpansionRatio(1e9).build();
            double cl = best(n, () -> Joblib.<NdArray>load(cf, trusted));
            String key = c.codec() == Compression.Codec.LZ4 ? "lz4" : "zlib3";
            rows.add(peerRow("dump " + c, cd, cs, peer, "dump " + key));
            rows.add(peerRow("load " + c, cl, cs, peer, "load " + key));
            rows.add(new Row("dump " + c, cd, cs, "raw FileChannel write", rawWrite, rawBytes));
            rows.add(new Row("load " + c, cl, cs, "joblib4j uncompressed load", load, size));
            Files.delete(cf);
        }
        Files.delete(f);
        print(name, rows, rawBytes);
        chart(name, rows);
    }

    /**
     * {@code persist-<dataset>}: dump and load time per codec, joblib4j beside Python joblib (where it ran) and the
     * raw FileChannel baseline of the same bytes, in ms on a log scale.
     */
    private static void chart(String dataset, List<Row> rows) throws IOException {
        List<String> ops = new ArrayList<>();
        Map<String, double[]> byOp = new LinkedHashMap<>(); // op -> {joblib4j, Python joblib, raw}
        for (Row r : rows) {
            double[] v = byOp.computeIfAbsent(r.what, k -> {
                ops.add(k);
                return new double[] {Double.NaN, Double.NaN, Double.NaN};
            });
            v[0] = r.seconds * 1000;
            // Python joblib has no zstd: the table sets zstd beside its zlib, the chart only codec against codec
            if (r.peer.startsWith("Python joblib") && !r.what.contains("zstd")) {
                v[1] = r.peerSeconds * 1000;
            } else if (r.peer.equals("raw FileChannel write") || r.peer.equals("raw FileChannel read")) {
                v[2] = r.peerSeconds * 1000;
            }
        }
        Map<String, double[]> series = new LinkedHashMap<>();
        String[] names = {"joblib4j", "Python joblib", "raw FileChannel (same bytes)"};
        for (int i = 0; i < names.length; i++) {
            double[] s = new double[ops.size()];
            for (int k = 0; k < ops.size(); k++) {
                s[k] = byOp.get(ops.get(k))[i];
            }
            series.put(names[i], s);
        }
        io.joblib4j.bench.Charts.bars(
                "persist-" + dataset.replaceAll("[^A-Za-z0-9]+", "-").toLowerCase(Locale.ROOT),
                "dump/load of 80 MB of doubles (" + dataset + "), per codec: ms (log scale, lower is better)",
                "ms",
                ops,
                series,
                true);
    }

    private static void hash(int reps, Path dir, String python) throws Exception {
        double[] eight = java.util.Arrays.copyOf(smooth(), 1 << 20);
        double h = best(reps * 20, () -> Joblib.hash(eight));
        Map<String, String> peer = python("hash", eight, reps, dir, python);
        // the checksum that dumps store and heap loads verify, after the runs above passed it every kind of segment,
        // beside a plain copy of the same bytes: a hash loop whose speed depends on the kinds seen shows here
        MemorySegment src = MemorySegment.ofArray(eight);
        byte[] copy = new byte[8 << 20];
        double sum = best(reps * 20, () -> io.joblib4j.hash.Hashing.xxh3(src, 8, java.nio.ByteOrder.LITTLE_ENDIAN));
        double mem = best(reps * 20, () -> MemorySegment.copy(src, 0, MemorySegment.ofArray(copy), 0, 8 << 20));
        List<Row> rows = List.of(
                peerRow("hash 8 MB double[]", h, 8L << 20, peer, "hash 8MB"),
                new Row("checksum 8 MB", sum, 8L << 20, "memory copy of the 8 MB", mem, 8L << 20));
        print("hash", rows, 8L << 20);
    }

    private static Row peerRow(String what, double s, long bytes, Map<String, String> peer, String key) {
        String[] p = peer.getOrDefault(key, "").split("\t", -1);
        if (p.length < 2) {
            return new Row(what, s, bytes, "joblib (not run)", Double.NaN, -1);
        }
        return new Row(what, s, bytes, "Python joblib " + key, Double.parseDouble(p[0]), Long.parseLong(p[1]));
    }

    private static void print(String dataset, List<Row> rows, long rawBytes) {
        System.out.println();
        System.out.println("dataset: " + dataset);
        System.out.printf(
                Locale.ROOT,
                "%-22s %10s %8s  %-26s %10s %8s  %s%n",
                "joblib4j",
                "time",
                "ratio",
                "peer",
                "time",
                "ratio",
                "peer/joblib4j");
        for (Row r : rows) {
            System.out.printf(
                    Locale.ROOT,
                    "%-22s %10s %8s  %-26s %10s %8s  %s%n",
                    r.what,
                    ms(r.seconds),
                    ratio(rawBytes, r.bytes),
                    r.peer,
                    ms(r.peerSeconds),
                    r.peerBytes < 0 ? "" : ratio(rawBytes, r.peerBytes),
                    Double.isNaN(r.peerSeconds) ? "" : String.format(Locale.ROOT, "%.2fx", r.peerSeconds / r.seconds));
        }
    }

    private static String ms(double s) {
        return Double.isNaN(s) ? "-" : String.format(Locale.ROOT, "%.2f ms", s * 1000);
    }

    private static String ratio(long raw, long bytes) {
        return String.format(Locale.ROOT, "%.2f", (double) raw / bytes);
    }

    private static Map<String, String> python(String name, double[] data, int reps, Path dir, String python)
            throws IOException, InterruptedException {
        Map<String, String> out = new LinkedHashMap<>();
        Path script = Path.of("bench/python/persist_peer.py");
        if (!Files.exists(script)) {
            return out;
        }
        Path npy = dir.resolve("peer-input.npy");
        Npy.save(npy, NdArray.wrap(data));
        try {
            Process p = new ProcessBuilder(
                            python, script.toString(), npy.toString(), dir.toString(), Integer.toString(reps))
                    .redirectErrorStream(true)
                    .start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                System.out.println("(Python joblib peer not run for " + name + ": " + text.strip() + ")");
                return out;
            }
            for (String line : text.split("\n", -1)) {
                String[] parts = line.split("\t", -1);
                if (parts.length == 3) {
                    out.put(parts[0], parts[1] + "\t" + parts[2]);
                }
            }
        } catch (IOException e) {
            System.out.println("(Python joblib peer not run: " + e.getMessage() + ")");
        } finally {
            Files.deleteIfExists(npy);
        }
        return out;
    }

    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    /** Best wall times in seconds of {@code reps} rounds that run each body once, in turn, after a warm-up round. */
    static double[] bestAlternating(int reps, Body... bodies) throws Exception {
        double[] best = new double[bodies.length];
        java.util.Arrays.fill(best, Double.MAX_VALUE);
        for (int r = 0; r <= reps; r++) {
            for (int i = 0; i < bodies.length; i++) {
                long t = System.nanoTime();
                bodies[i].run();
                double s = (System.nanoTime() - t) / 1e9;
                if (r > 0) {
                    best[i] = Math.min(best[i], s);
                }
            }
        }
        return best;
    }

    /** Best wall time in seconds of {@code reps} runs after one warm-up run. */
    static double best(int reps, Body body) throws Exception {
        body.run();
        double best = Double.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long t = System.nanoTime();
            body.run();
            best = Math.min(best, (System.nanoTime() - t) / 1e9);
        }
        return best;
    }
}
