package io.joblib4j.multiprocessing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.joblib4j.parallel.Parallel;
import io.joblib4j.process.ProcessPool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Python's Pool API on {@link ProcessPool}, and its initializer on every path, on real worker JVMs. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PoolApiTest {
    /** Set by the initializer in each worker: the "session" tasks need. */
    static volatile String session;

    static int square(int x) {
        return x * x;
    }

    static int f(int x) {
        return x + 35;
    }

    /** The task: its worker's pid and whether the worker's session was open. */
    static String where(int i) {
        return ProcessHandle.current().pid() + ":" + (session != null);
    }

    @Test
    void mapImapImapUnorderedApplyAsync_equalSequential() throws Exception {
        List<Integer> items = IntStream.range(0, 40).boxed().toList();
        List<Integer> expected = items.stream().map(PoolApiTest::square).toList();
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            assertThat(pool.map(PoolApiTest::square, List.of(0, 1, 2, 3, 4))).containsExactly(0, 1, 4, 9, 16);
            assertThat(pool.map(PoolApiTest::square, items)).isEqualTo(expected);
            assertThat(pool.map(PoolApiTest::square, items, 7)).isEqualTo(expected);
            try (Stream<Integer> s = pool.imap(PoolApiTest::square, items)) {
                assertThat(s.toList()).isEqualTo(expected);
            }
            try (Stream<Integer> s = pool.imap(PoolApiTest::square, items, 5)) {
                assertThat(s.toList()).isEqualTo(expected);
            }
            try (Stream<Integer> s = pool.imapUnordered(PoolApiTest::square, items, 3)) {
                assertThat(s.toList()).containsExactlyInAnyOrderElementsOf(expected);
            }
            CompletableFuture<Integer> a = pool.applyAsync(() -> square(12));
            CompletableFuture<Integer> b = pool.applyAsync(PoolApiTest::square, 9);
            assertThat(a.get(60, TimeUnit.SECONDS)).isEqualTo(144);
            assertThat(b.get(60, TimeUnit.SECONDS)).isEqualTo(81);
            // a plain lambda given to submit is serializable through the Task overload
            Future<Integer> c = pool.submit(() -> f(7));
            assertThat(c.get(60, TimeUnit.SECONDS)).isEqualTo(42);
            assertThatThrownBy(() -> pool.map(PoolApiTest::square, items, 0)).hasMessageContaining("chunksize 0");
        }
    }

    /** Many arrays, each under maxNbytes, that together serialize to more: counts its deserializations per JVM. */
    static final class BigData implements java.io.Serializable {
        static final java.util.concurrent.atomic.AtomicInteger READS = new java.util.concurrent.atomic.AtomicInteger();
        final int[][] tables = new int[20][1000];

        BigData() {
            for (int k = 0; k < tables.length; k++) {
                java.util.Arrays.fill(tables[k], k);
            }
        }

        /** The table's sum and how many times this JVM has deserialized a BigData. */
        String doChunk(int k) {
            return java.util.Arrays.stream(tables[k]).sum() + "/" + READS.get() + "/"
                    + ProcessHandle.current().pid();
        }

        @java.io.Serial
        private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
            in.defaultReadObject();
            READS.incrementAndGet();
        }
    }

    @Test
    void bigCapturedObject_travelsOncePerWorkerPerCall_notWithEveryTask() throws Exception {
        BigData big = new BigData();
        List<Integer> ks = IntStream.range(0, 20).boxed().toList();
        try (ProcessPool pool =
                ProcessPool.builder().workers(2).maxNbytes(10_000L).build()) {
            for (int call = 1; call <= 2; call++) {
                List<String> out = pool.map(big::doChunk, ks, 1);
                for (int k = 0; k < 20; k++) {
                    String[] parts = out.get(k).split("/", -1);
                    assertThat(Integer.parseInt(parts[0])).isEqualTo(1000 * k);
                }
                // in each worker, every task of the call saw the one copy read for this call
                Map<String, Set<String>> readsPerWorker = out.stream()
                        .map(r -> r.split("/"))
                        .collect(Collectors.groupingBy(p -> p[2], Collectors.mapping(p -> p[1], Collectors.toSet())));
                assertThat(readsPerWorker.values()).allMatch(reads -> reads.size() == 1);
            }
            // submit-style: 20 tasks capturing the same object, queued at once
            List<Future<String>> fs = new ArrayList<>();
            for (int k : ks) {
                fs.add(pool.submit(() -> big.doChunk(k)));
            }
            for (int k = 0; k < 20; k++) {
                assertThat(fs.get(k).get(60, TimeUnit.SECONDS)).startsWith((1000 * k) + "/");
            }
        }
    }

    /** Tables that a task may change in its worker's copy; counts the copies each JVM has deserialized. */
    static final class Tables implements java.io.Serializable {
        static final java.util.concurrent.atomic.AtomicInteger READS = new java.util.concurrent.atomic.AtomicInteger();
        final int[][] tables;

        Tables(int count, int length) {
            tables = new int[count][length];
            for (int k = 0; k < count; k++) {
                java.util.Arrays.fill(tables[k], k);
            }
        }

        /** The table's sum, then this JVM's count of deserialized copies and its pid. */
        String sum(int k) {
            return java.util.Arrays.stream(tables[k]).sum() + "/" + READS.get() + "/"
                    + ProcessHandle.current().pid();
        }

        /** The table's sum, after which the worker's copy of the table is zeroed. */
        String sumThenClear(int k) {
            String out = sum(k);
            java.util.Arrays.fill(tables[k], 0);
            return out;
        }

        @java.io.Serial
        private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
            in.defaultReadObject();
            READS.incrementAndGet();
        }
    }

    private static int sumOf(String result) {
        return Integer.parseInt(result.split("/", -1)[0]);
    }

    /** Each worker's count of deserialized copies, as the results report it. */
    private static Map<String, Set<String>> readsPerWorker(List<String> out) {
        return out.stream()
                .map(r -> r.split("/"))
                .collect(Collectors.groupingBy(p -> p[2], Collectors.mapping(p -> p[1], Collectors.toSet())));
    }

    @Test
    void bigCapturedObject_unchangedAcrossCalls_isNotReadAgain_changedIsSeenAtOnce() throws Exception {
        // tables of 80 kB (hashed in bulk) over maxNbytes (shared through files of their own inside the graph)
        Tables big = new Tables(16, 20_000);
        List<Integer> ks = IntStream.range(0, 16).boxed().toList();
        try (ProcessPool pool =
                ProcessPool.builder().workers(2).maxNbytes(10_000L).build()) {
            Map<String, Set<String>> first = readsPerWorker(pool.map(big::sum, ks, 1));
            List<String> again = pool.map(big::sum, ks, 1);
            for (int k = 0; k < 16; k++) {
                assertThat(sumOf(again.get(k))).isEqualTo(20_000 * k);
            }
            // a worker that ran tasks of both calls kept its copy: the same count of reads
            Map<String, Set<String>> second = readsPerWorker(again);
            for (Map.Entry<String, Set<String>> w : second.entrySet()) {
                if (first.containsKey(w.getKey())) {
                    assertThat(w.getValue()).isEqualTo(first.get(w.getKey()));
                }
            }
            // one element changed in the caller: every task of the next call sees it
            big.tables[3][7] = 1_000_003;
            List<String> changed = pool.map(big::sum, ks, 1);
            for (int k = 0; k < 16; k++) {
                assertThat(sumOf(changed.get(k))).isEqualTo(20_000 * k + (k == 3 ? 1_000_000 : 0));
            }
            // submit-style sees the change too
            big.tables[5][0] = 0;
            List<Future<String>> fs = new ArrayList<>();
            for (int k : ks) {
                fs.add(pool.submit(() -> big.sum(k)));
            }
            for (int k = 0; k < 16; k++) {
                int expected = 20_000 * k + (k == 3 ? 1_000_000 : 0) - (k == 5 ? 5 : 0);
                assertThat(sumOf(fs.get(k).get(60, TimeUnit.SECONDS))).isEqualTo(expected);
            }
        }
    }

    @Test
    void taskChangingItsWorkersCopy_nextCallGetsTheCallersContent() throws Exception {
        Tables big = new Tables(8, 20_000);
        List<Integer> ks = IntStream.range(0, 8).boxed().toList();
        try (ProcessPool pool =
                ProcessPool.builder().workers(2).maxNbytes(10_000L).build()) {
            for (int call = 1; call <= 3; call++) {
                List<String> out = pool.map(big::sumThenClear, ks, 1);
                for (int k = 0; k < 8; k++) {
                    assertThat(sumOf(out.get(k)))
                            .as("call %d, table %d", call, k)
                            .isEqualTo(20_000 * k);
                }
            }
        }
    }

    @Test
    void initializer_runsOncePerWorker_onEveryPath() throws Exception {
        SharedMap<Long, Integer> inits = SharedMap.create();
        try (ProcessPool pool = ProcessPool.builder()
                .workers(2)
                .initializer(() -> {
                    session = "open";
                    inits.merge(ProcessHandle.current().pid(), 1, Integer::sum);
                })
                .build()) {
            List<String> seen = new ArrayList<>();
            // Parallel on the pool's backend (the path that skipped it)
            seen.addAll(Parallel.builder()
                    .backend(pool.backend())
                    .nJobs(2)
                    .build()
                    .map(PoolApiTest::where, IntStream.range(0, 20).boxed().toList()));
            seen.add(pool.submit(() -> where(0)).get(60, TimeUnit.SECONDS));
            seen.addAll(
                    pool.map(PoolApiTest::where, IntStream.range(0, 10).boxed().toList()));
            seen.add(pool.applyAsync(PoolApiTest::where, 1).get(60, TimeUnit.SECONDS));
            assertThat(seen).allMatch(s -> s.endsWith(":true"));
            Map<Long, Integer> perWorker = Map.copyOf(inits);
            assertThat(perWorker.values()).containsOnly(1);
            assertThat(perWorker.keySet())
                    .containsAll(seen.stream()
                            .map(s -> Long.parseLong(s.substring(0, s.indexOf(':'))))
                            .collect(Collectors.toSet()));
        } finally {
            inits.close();
        }
    }
}
