package io.joblib4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.parallel.Parallel;
import io.joblib4j.parallel.WorkerCrashedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a worker JVM leaves behind when it ends, however it ends, and how a failed start is handled. */
class WorkerLifecycleTest {

    static int square(int i) {
        return i * i;
    }

    static double sumOf(double[] data) {
        double s = 0;
        for (double d : data) {
            s += d;
        }
        return s;
    }

    /** The sockets this JVM has open, from /proc/self/fd. */
    static long openSockets() throws IOException {
        long n = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith("socket:")) {
                        n++;
                    }
                } catch (IOException e) {
                    // closed while listing
                }
            }
        }
        return n;
    }

    @Test
    void workersThatEnd_closeTheirChannel_noSocketLeaks() throws Exception {
        long before;
        try (ProcessPool own =
                ProcessPool.builder().workers(2).maxTasksPerWorker(1).build()) {
            own.submit(WorkerTasks.times2(1)).get(60, TimeUnit.SECONDS); // the server socket opens with the first use
            before = openSockets();
            List<Future<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                fs.add(own.submit(WorkerTasks.times2(i)));
            }
            for (Future<Integer> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
            // every retired worker is gone once no more than the two replacements run
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (own.workerPids().size() > 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            long during = openSockets();
            assertThat(during)
                    .as("12 worker lifetimes may leave at most the live workers' channels open (before: " + before
                            + ")")
                    .isLessThanOrEqualTo(before + 2);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (openSockets() >= before && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(openSockets())
                .as("after close, the server socket and every channel are closed")
                .isLessThan(before);
    }

    @Test
    void workerKilledBeforeItConnected_countsAsACrash_andTheParallelStaysUsable() throws Exception {
        try (ProcessPool own = ProcessPool.builder().workers(2).build();
                Parallel p = Parallel.builder().nJobs(2).backend(own.backend()).build()) {
            CompletableFuture<Object> first = CompletableFuture.supplyAsync(() -> {
                try {
                    return p.map(
                            WorkerLifecycleTest::square,
                            IntStream.range(0, 50).boxed().toList());
                } catch (RuntimeException e) {
                    return e;
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            List<Long> pids = own.workerPids();
            while (pids.isEmpty() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
                pids = own.workerPids();
            }
            assertThat(pids).as("the call started workers").isNotEmpty();
            for (long pid : pids) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // long before a JVM connects
            }
            Object outcome = first.get(60, TimeUnit.SECONDS);
            if (outcome instanceof RuntimeException e) {
                assertThat(e).isInstanceOf(WorkerCrashedException.class);
            } else {
                assertThat(outcome)
                        .isEqualTo(
                                IntStream.range(0, 50).map(i -> i * i).boxed().toList());
            }
            for (int call = 0; call < 3; call++) {
                assertThat(p.map(WorkerLifecycleTest::square, List.of(1, 2, 3))).containsExactly(1, 4, 9);
            }
        }
    }

    @Test
    void workerKilledBeforeItConnected_isRetriedWithRetries() throws Exception {
        try (ProcessPool own = ProcessPool.builder().workers(1).build();
                Parallel p = Parallel.builder()
                        .nJobs(1)
                        .retries(5)
                        .backend(own.backend())
                        .build()) {
            CompletableFuture<List<Integer>> first = CompletableFuture.supplyAsync(() -> p.map(
                    WorkerLifecycleTest::square, IntStream.range(0, 20).boxed().toList()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            List<Long> pids = own.workerPids();
            while (pids.isEmpty() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
                pids = own.workerPids();
            }
            for (long pid : pids) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            assertThat(first.get(60, TimeUnit.SECONDS))
                    .isEqualTo(IntStream.range(0, 20).map(i -> i * i).boxed().toList());
        }
    }

    @Test
    void callThatSharedAnArray_removesItsFolderWhenItEnds(@TempDir Path temp) throws Exception {
        double[] big = new double[300_000];
        java.util.Arrays.fill(big, 1.0);
        try (ProcessPool own = ProcessPool.builder().workers(1).build();
                Parallel p = Parallel.builder()
                        .nJobs(1)
                        .backend(own.backend())
                        .tempFolder(temp)
                        .maxNbytes("1K")
                        .build()) {
            assertThat(p.map(WorkerLifecycleTest::sumOf, List.of(big, big))).containsExactly(300_000.0, 300_000.0);
            try (Stream<Path> s = Files.list(temp)) {
                assertThat(s.filter(f -> f.getFileName().toString().contains("-call-"))
                                .toList())
                        .as("the call's folder is removed when the call ends, not when the Parallel closes")
                        .isEmpty();
            }
        }
    }
}
