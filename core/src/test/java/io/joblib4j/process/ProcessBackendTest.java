package io.joblib4j.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.joblib4j.Task;
import io.joblib4j.array.MmapMode;
import io.joblib4j.backend.Backend;
import io.joblib4j.backend.Batch;
import io.joblib4j.backend.BatchResult;
import io.joblib4j.backend.Failures;
import io.joblib4j.backend.WorkerSpec;
import io.joblib4j.backend.Workers;
import io.joblib4j.parallel.ArraySharing;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The processes backend through the Backend SPI, with real worker JVMs (one pool shared by the tests). */
class ProcessBackendTest {
    private static ProcessPool pool;
    private static Backend backend;

    @BeforeAll
    static void startPool() {
        pool = ProcessPool.builder().workers(2).build();
        backend = pool.backend();
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    static Batch batch(long first, Task<?>... tasks) {
        return Batch.of(first, List.of(tasks));
    }

    static List<BatchResult> run(Workers workers, Batch... batches) {
        List<CompletableFuture<BatchResult>> futures = new ArrayList<>();
        for (Batch b : batches) {
            CompletableFuture<BatchResult> f = new CompletableFuture<>();
            futures.add(f);
            workers.submit(b, f::complete);
        }
        List<BatchResult> results = new ArrayList<>();
        for (CompletableFuture<BatchResult> f : futures) {
            results.add(f.orTimeout(60, TimeUnit.SECONDS).join());
        }
        return results;
    }

    static WorkerSpec spec(int nJobs, Duration timeout, Path tempFolder) {
        return WorkerSpec.builder(nJobs)
                .timeout(timeout)
                .option(ArraySharing.class, ArraySharing.of(tempFolder, 1L << 20, MmapMode.READ_ONLY))
                .build();
    }

    @Test
    void processesName_resolvesToTheSharedPoolsBackend() {
        Backend named = Backend.named("processes");
        assertThat(named.name()).isEqualTo("processes");
        assertThat(named.sharedMemory()).isFalse();
        assertThat(named.nested()).isEqualTo(new Backend.Nested("threads", 1));
        assertThat(Backend.names()).contains("processes");
    }

    @Test
    void submit_moreBatchesThanWorkers_runsAllInOtherJvms() {
        try (Workers w = backend.open(WorkerSpec.of(2))) {
            Batch[] batches = new Batch[6];
            for (int i = 0; i < batches.length; i++) {
                batches[i] = batch(i * 2L, WorkerTasks.times2(i * 2), WorkerTasks.times2(i * 2 + 1));
            }
            List<BatchResult> results = run(w, batches);
            for (int i = 0; i < results.size(); i++) {
                assertThat(results.get(i).succeeded()).isTrue();
                assertThat(results.get(i).values()).containsExactly(i * 4, i * 4 + 2);
                assertThat(results.get(i).worker()).startsWith("worker-");
            }
            List<BatchResult> pids = run(w, batch(0, WorkerTasks.pid()), batch(1, WorkerTasks.pid()));
            for (BatchResult r : pids) {
                assertThat((Long) r.values().getFirst())
                        .isNotEqualTo(ProcessHandle.current().pid());
            }
        }
    }

    @Test
    void taskThrows_failureKeepsTypeAndValuesBefore() {
        try (Workers w = backend.open(WorkerSpec.of(1))) {
            BatchResult r = run(
                            w,
                            batch(
                                    10,
                                    WorkerTasks.times2(1),
                                    WorkerTasks.throwing("bad input 7"),
                                    WorkerTasks.times2(3)))
                    .getFirst();
            assertThat(r.values()).containsExactly(2);
            assertThat(r.failedIndex()).isEqualTo(11);
            assertThat(r.failure()).isInstanceOf(IllegalArgumentException.class).hasMessage("bad input 7");
            BatchResult checked =
                    run(w, batch(0, WorkerTasks.checkedThrowing())).getFirst();
            assertThat(checked.failure()).isInstanceOf(IOException.class).hasMessage("disk says no");
        }
    }

    @Test
    void workerExits_reportsWorkerLostWithExitCode_andPoolRecovers() {
        try (Workers w = backend.open(WorkerSpec.of(1))) {
            long start = System.nanoTime();
            BatchResult r =
                    run(w, batch(0, WorkerTasks.times2(1), WorkerTasks.exit(1))).getFirst();
            assertThat(r.failure()).isInstanceOf(Failures.WorkerLost.class);
            assertThat(((Failures.WorkerLost) r.failure()).exitStatus()).isEqualTo("EXIT(1)");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
            BatchResult halted = run(w, batch(0, WorkerTasks.halt(3))).getFirst();
            assertThat(((Failures.WorkerLost) halted.failure()).exitStatus()).isEqualTo("EXIT(3)");
            assertThat(run(w, batch(0, WorkerTasks.times2(21))).getFirst().values())
                    .containsExactly(42);
        }
    }

    @Test
    void crashAfterSeveralTasksOfABatch_isBlamedOnTheTaskThatRan() {
        try (Workers w = backend.open(WorkerSpec.of(1))) {
            Task<?>[] tasks = new Task<?>[8];
            for (int i = 0; i < tasks.length; i++) {
                tasks[i] = i == 5 ? WorkerTasks.halt(1) : WorkerTasks.sleepThen(2, i);
            }
            BatchResult r = run(w, batch(100, tasks)).getFirst();
            assertThat(r.failure()).isInstanceOf(Failures.WorkerLost.class);
            assertThat(r.failedIndex()).isEqualTo(105);
            assertThat(r.values()).containsExactly(0, 1, 2, 3, 4);
        }
    }

    @Test
    void outOfMemoryInWorker_reportsExit3() {
        try (ProcessPool small = ProcessPool.builder().jvmOptions("-Xmx64m").build();
                Workers w = small.backend().open(WorkerSpec.of(1))) {
            BatchResult r = run(w, batch(0, WorkerTasks.retain(256))).getFirst();
            assertThat(r.failure()).isInstanceOf(Failures.WorkerLost.class);
            assertThat(((Failures.WorkerLost) r.failure()).exitStatus()).isEqualTo("EXIT(3)");
        }
    }

    @Test
    void workerKilledBySignal_reportsSigkill() {
        try (Workers w = backend.open(WorkerSpec.of(1))) {
            BatchResult r = run(w, batch(0, WorkerTasks.killSelf())).getFirst();
            assertThat(((Failures.WorkerLost) r.failure()).exitStatus()).isEqualTo("SIGKILL(-9)");
        }
    }

    @Test
    void taskPastTimeout_killsWorker_reportsTimeoutAndEarlierValues() {
        try (Workers w = backend.open(spec(1, Duration.ofMillis(500), null))) {
            long start = System.nanoTime();
            BatchResult r = run(w, batch(0, WorkerTasks.sleepThen(10, 1), WorkerTasks.sleepThen(60_000, 2)))
                    .getFirst();
            assertThat(r.failure()).isInstanceOf(Failures.Timeout.class);
            assertThat(r.values()).containsExactly(1);
            assertThat(r.failedIndex()).isEqualTo(1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
            assertThat(run(w, batch(0, WorkerTasks.sleepThen(10, 5))).getFirst().values())
                    .containsExactly(5);
        }
    }

    @Test
    void unserializableTask_failsAloneNamingClass() {
        Object notSerializable = new Object();
        Task<Integer> bad = () -> notSerializable.hashCode();
        try (Workers w = backend.open(WorkerSpec.of(1))) {
            BatchResult r = run(w, batch(0, WorkerTasks.times2(1), bad, WorkerTasks.times2(3)))
                    .getFirst();
            assertThat(r.values()).containsExactly(2);
            assertThat(r.failedIndex()).isEqualTo(1);
            assertThat(r.failure())
                    .isInstanceOf(NotSerializableException.class)
                    .hasMessageContaining("task 1")
                    .hasMessageContaining("java.lang.Object");
            assertThat(run(w, batch(5, WorkerTasks.times2(5))).getFirst().values())
                    .containsExactly(10);
        }
    }

    @Test
    void unserializableResult_failsNamingClass() {
        try (Workers w = backend.open(WorkerSpec.of(1))) {
            BatchResult r = run(w, batch(0, WorkerTasks.times2(1), WorkerTasks.unserializableResult()))
                    .getFirst();
            assertThat(r.values()).containsExactly(2);
            assertThat(r.failure())
                    .isInstanceOf(NotSerializableException.class)
                    .hasMessageContaining("java.lang.Object");
        }
    }

    @Test
    void abort_killsRunningWorkersPromptly() throws Exception {
        try (Workers w = backend.open(WorkerSpec.of(2))) {
            List<BatchResult> warm = run(w, batch(0, WorkerTasks.pid()), batch(1, WorkerTasks.pid()));
            Set<Long> pids = new HashSet<>();
            for (BatchResult r : warm) {
                pids.add((Long) r.values().getFirst());
            }
            for (int i = 0; i < 10; i++) {
                w.submit(batch(i, WorkerTasks.sleepThen(10_000, i)), r -> {});
            }
            Thread.sleep(300);
            long start = System.nanoTime();
            w.abort();
            for (long pid : pids) {
                ProcessHandle.of(pid)
                        .ifPresent(
                                h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).join());
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            assertThat(run(w, batch(0, WorkerTasks.times2(4))).getFirst().values())
                    .containsExactly(8);
        }
    }

    @Test
    void initializer_runsOncePerWorker() {
        WorkerSpec spec =
                WorkerSpec.builder(1).initializer(WorkerTasks.initializer()).build();
        try (ProcessPool own = ProcessPool.builder().workers(1).build();
                Workers w = own.backend().open(spec)) {
            List<BatchResult> results = run(
                    w,
                    batch(0, WorkerTasks.initRuns()),
                    batch(1, WorkerTasks.initRuns()),
                    batch(2, WorkerTasks.initRuns()));
            for (BatchResult r : results) {
                assertThat(r.values()).containsExactly(1);
            }
        }
    }

    @Test
    void workerOutput_reachesParentStreams_withoutCorruptingChannel() throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream capturedOut = new ByteArrayOutputStream();
        ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
        System.setOut(new PrintStream(capturedOut, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(capturedErr, true, StandardCharsets.UTF_8));
        try (Workers w = backend.open(WorkerSpec.of(1))) {
            BatchResult r = run(w, batch(0, WorkerTasks.print("hello from a worker", 7), WorkerTasks.times2(4)))
                    .getFirst();
            assertThat(r.values()).containsExactly(7, 8);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((!capturedOut.toString(StandardCharsets.UTF_8).contains("hello from a worker")
                            || !capturedErr.toString(StandardCharsets.UTF_8).contains("hello from a worker-err"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        assertThat(capturedOut.toString(StandardCharsets.UTF_8)).contains("hello from a worker");
        assertThat(capturedErr.toString(StandardCharsets.UTF_8)).contains("hello from a worker-err");
    }

    @Test
    void largeArray_sharedThroughOnePrivateFile_removedAtClose(@TempDir Path temp) throws Exception {
        double[] data = new double[300_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = i;
        }
        double expected = (data.length - 1) * (double) data.length / 2;
        Workers w = backend.open(spec(2, null, temp));
        try {
            List<BatchResult> results = run(
                    w,
                    batch(0, WorkerTasks.sum(data), WorkerTasks.identityOfArrays(data, data)),
                    batch(2, WorkerTasks.sum(data)),
                    batch(3, WorkerTasks.sum(data)));
            assertThat(results.get(0).failure()).isNull();
            assertThat(results.get(0).values()).containsExactly(expected, 1);
            assertThat(results.get(1).values()).containsExactly(expected);
            assertThat(results.get(2).values()).containsExactly(expected);
            List<Path> callDirs;
            try (Stream<Path> s = Files.list(temp)) {
                callDirs = s.filter(p -> p.getFileName().toString().contains("-call-"))
                        .toList();
            }
            assertThat(callDirs).hasSize(1);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(callDirs.getFirst())))
                    .isEqualTo("rwx------");
            List<Path> files;
            try (Stream<Path> s = Files.list(callDirs.getFirst())) {
                files = s.toList();
            }
            assertThat(files).hasSize(1);
            assertThat(Files.size(files.getFirst())).isEqualTo(8L * data.length);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(files.getFirst())))
                    .isEqualTo("rw-------");
        } finally {
            w.close();
        }
        try (Stream<Path> s = Files.list(temp)) {
            assertThat(s.filter(p -> p.getFileName().toString().contains("-call-"))
                            .toList())
                    .isEmpty();
        }
    }

    @Test
    void smallArrays_andMaxNbytesNull_travelThroughChannel(@TempDir Path temp) {
        double[] data = {1, 2, 3};
        double[] big = new double[200_000];
        WorkerSpec never = WorkerSpec.builder(1)
                .option(ArraySharing.class, ArraySharing.of(temp, -1, MmapMode.READ_ONLY))
                .build();
        try (Workers w = backend.open(never)) {
            assertThat(run(w, batch(0, WorkerTasks.sum(data), WorkerTasks.sum(big)))
                            .getFirst()
                            .values())
                    .containsExactly(6.0, 0.0);
        }
        assertThat(temp.toFile().list()).isEmpty();
    }

    @Test
    void maxTasksPerWorker_replacesWorkerAfterLimit() {
        try (ProcessPool own = ProcessPool.builder().maxTasksPerWorker(2).build();
                Workers w = own.backend().open(WorkerSpec.of(1))) {
            Set<Object> pids = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                pids.addAll(run(w, batch(i, WorkerTasks.pid())).getFirst().values());
            }
            assertThat(pids).hasSize(3);
        }
    }

    @Test
    void heapGrowthPastLimit_workerRestartsItself() {
        try (ProcessPool own = ProcessPool.builder().heapGrowthLimit(32L << 20).build();
                Workers w = own.backend().open(WorkerSpec.of(1))) {
            Object first =
                    run(w, batch(0, WorkerTasks.pid())).getFirst().values().getFirst();
            assertThat(run(w, batch(1, WorkerTasks.retain(64))).getFirst().values())
                    .containsExactly(1);
            Object after =
                    run(w, batch(2, WorkerTasks.pid())).getFirst().values().getFirst();
            assertThat(after).isNotEqualTo(first);
        }
    }

    @Test
    void idleTimeout_stopsIdleWorkers() throws Exception {
        try (ProcessPool own =
                ProcessPool.builder().idleTimeout(Duration.ofMillis(300)).build()) {
            try (Workers w = own.backend().open(WorkerSpec.of(1))) {
                run(w, batch(0, WorkerTasks.pid()));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!own.workerPids().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(own.workerPids()).isEmpty();
        }
    }

    @Test
    void badJvmOption_failsBatchesWithClearMessage() {
        try (ProcessPool own = ProcessPool.builder()
                        .jvmOptions("-XX:+NoSuchJoblib4jOption")
                        .build();
                Workers w = own.backend().open(WorkerSpec.of(1))) {
            BatchResult r = run(w, batch(0, WorkerTasks.times2(1))).getFirst();
            assertThat(r.failure())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("before it connected")
                    .hasMessageContaining("-XX:+NoSuchJoblib4jOption");
        }
    }

    @Test
    void builder_rejectsBadValuesNamingThem() {
        assertThatThrownBy(() -> ProcessPool.builder().workers(0)).hasMessageContaining("got 0");
        assertThatThrownBy(() -> ProcessPool.builder().idleTimeout(Duration.ZERO))
                .hasMessageContaining("PT0S");
        assertThatThrownBy(() -> ProcessPool.builder().maxTasksPerWorker(-1)).hasMessageContaining("-1");
        assertThatThrownBy(() -> ProcessPool.builder().jvmOptions(" ")).hasMessageContaining("blank");
        assertThatThrownBy(() -> ProcessPool.shared().shutdown()).isInstanceOf(UnsupportedOperationException.class);
    }
}
