package io.joblib4j.launch;

import io.joblib4j.Joblib;
import io.joblib4j.memory.CachedFunction;
import io.joblib4j.memory.Memory;
import io.joblib4j.parallel.Parallel;
import io.joblib4j.persist.Compression;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A tiny application, started by {@link LauncherTest} in a child JVM the ways users start theirs: Parallel on the
 * processes backend (tasks that dump and load with lz4 and zstd in the workers), dump/load in the main JVM and a
 * Memory cache. Prints {@code RESULT <values>} on stdout; anything on stderr is a finding.
 */
public final class LaunchedApp {
    private LaunchedApp() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("joblib4j-launched-app");
        try (Parallel parallel =
                Parallel.builder().nJobs(2).backend("processes").build()) {
            List<Integer> squares = parallel.map(LaunchedApp::roundTrip, List.of(1, 2, 3, 4));
            Path file = dir.resolve("squares.zst");
            Joblib.dump(squares, file, Compression.zstd());
            List<Integer> loaded = Joblib.load(file);
            Joblib.dump(loaded, dir.resolve("squares.lz4"), Compression.lz4());
            Memory memory =
                    Memory.builder().location(dir.resolve("cache")).verbose(0).build();
            CachedFunction<Integer, Integer> cached = memory.cache(LaunchedApp::twice);
            int cachedValue = cached.apply(21) + cached.apply(21);
            System.out.println("RESULT " + Joblib.load(dir.resolve("squares.lz4")) + " " + cachedValue);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    static int twice(int x) {
        return 2 * x;
    }

    /** Squares {@code x} after a trip through an lz4 and a zstd file in the worker. */
    static int roundTrip(int x) {
        try {
            Path dir = Files.createTempDirectory("joblib4j-launched-task");
            try {
                Path lz4 = dir.resolve("x.lz4");
                Joblib.dump(x, lz4, Compression.lz4());
                Path zstd = dir.resolve("x.zst");
                Joblib.dump((Integer) Joblib.load(lz4), zstd, Compression.zstd());
                int back = Joblib.load(zstd);
                return back * back;
            } finally {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder())
                            .forEach(p -> p.toFile().delete());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
