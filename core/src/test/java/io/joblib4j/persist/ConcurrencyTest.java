package io.joblib4j.persist;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.Joblib;
import io.joblib4j.array.NdArray;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrencyTest {
    @TempDir
    Path dir;

    @SuppressWarnings("ArrayRecordComponent") // compared by the test through its values, not by equals
    record Item(int thread, int round, double[] values) {}

    @Test
    void dumpLoad_manyThreads_eachGetsItsOwnGraph() throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int round = 0; round < 40; round++) {
                        double[] v = new double[64 + round];
                        java.util.Arrays.fill(v, thread * 1000 + round);
                        Path f = dir.resolve("t" + thread + ".j4j" + (round % 2 == 0 ? "" : ".zst"));
                        Joblib.dump(List.of(new Item(thread, round, v), NdArray.wrap(v)), f);
                        List<Object> back = Joblib.load(
                                f,
                                LoadOptions.builder().allowClasses(Item.class).build());
                        Item item = (Item) back.get(0);
                        assertThat(item.thread()).isEqualTo(thread);
                        assertThat(item.round()).isEqualTo(round);
                        assertThat(item.values()).containsExactly(v);
                        assertThat(((NdArray) back.get(1)).toDoubleArray()).containsExactly(v);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
    }

    @Test
    void dump_concurrentWritersToOnePath_leaveOneCompleteFile() throws Exception {
        Path f = dir.resolve("shared.j4j");
        try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                double[] v = new double[200_000];
                java.util.Arrays.fill(v, t);
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 10; i++) {
                        Joblib.dump(v, f);
                        double[] back = Joblib.load(f);
                        double first = back[0];
                        for (double d : back) {
                            assertThat(d).isEqualTo(first);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> fu : futures) {
                fu.get();
            }
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("shared.j4j");
        }
    }
}
