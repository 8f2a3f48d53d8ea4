package io.joblib4j.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.joblib4j.SerializableFunction;
import io.joblib4j.parallel.Parallel;
import io.joblib4j.parallel.ParallelConfig;
import io.joblib4j.parallel.Prefer;
import io.joblib4j.parallel.WorkerCrashedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parallel on the processes backend: what only worker processes do (the common behaviour is in the contract test). */
class ProcessParallelTest {

    static long pid(int i) {
        return ProcessHandle.current().pid();
    }

    static String nestedDefaults(int i) {
        return ParallelConfig.currentBackend() + "/" + ParallelConfig.currentNJobs();
    }

    /**
     * Crashes the worker the first time it runs for a given marker file, then returns {@code i}. Creating the marker
     * is the test-and-set, so of two tasks running at once in two workers exactly one crashes.
     */
    static int crashOnce(String markerPath, int i) {
        try {
            Files.createFile(Path.of(markerPath));
        } catch (java.nio.file.FileAlreadyExistsException alreadyCrashed) {
            return i;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().halt(1);
        return i;
    }

    @Test
    void preferProcesses_runsTasksInWorkerJvms() {
        try (Parallel p = Parallel.builder().nJobs(2).prefer(Prefer.PROCESSES).build()) {
            List<Long> pids = p.map(
                    ProcessParallelTest::pid, IntStream.range(0, 8).boxed().toList());
            assertThat(pids).doesNotContain(ProcessHandle.current().pid());
        }
    }

    @Test
    void nestedCallsInAWorker_defaultToThreadsWithOneJob() {
        try (Parallel p = Parallel.builder().nJobs(2).backend("processes").build()) {
            assertThat(p.map(ProcessParallelTest::nestedDefaults, List.of(1, 2)))
                    .containsOnly("threads/1");
        }
    }

    @Test
    void workerCrash_failsCallWithExitStatus_thenRetriesRecover(@TempDir Path temp) {
        String first = temp.resolve("first").toString();
        SerializableFunction<Integer, Integer> once = i -> crashOnce(first, i);
        long start = System.nanoTime();
        Throwable t;
        try (Parallel p = Parallel.builder().nJobs(2).backend("processes").build()) {
            t = catchThrowable(() -> p.map(once, List.of(1)));
        }
        assertThat(t).isInstanceOf(WorkerCrashedException.class).hasMessageContaining("EXIT(1)");
        assertThat(((WorkerCrashedException) t).exitStatus()).isEqualTo("EXIT(1)");
        assertThat((System.nanoTime() - start) / 1_000_000)
                .as("crash reported promptly")
                .isLessThan(10_000);

        String second = temp.resolve("second").toString();
        SerializableFunction<Integer, Integer> onceMore = i -> crashOnce(second, i);
        try (Parallel p =
                Parallel.builder().nJobs(2).backend("processes").retries(1).build()) {
            assertThat(p.map(onceMore, List.of(1, 2, 3, 4))).containsExactly(1, 2, 3, 4);
        }
    }

    /** Appends a line to the file {@code log}, then kills the worker JVM running it. */
    static int logThenHalt(String log, int i) {
        try {
            Files.writeString(Path.of(log), i + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().halt(1);
        return i;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void retries_aTaskThatKillsItsWorker_runsAtMostOncePlusRetries(int retries, @TempDir Path temp) throws IOException {
        Path log = temp.resolve("runs.log");
        String logPath = log.toString();
        // Task 1 is second in its batch of two: the retry starts a new batch at task 1.
        SerializableFunction<Integer, Integer> killsOnOne = i -> i == 1 ? logThenHalt(logPath, i) : i;
        Throwable t;
        try (Parallel p = Parallel.builder()
                .nJobs(2)
                .backend("processes")
                .batchSize(2)
                .retries(retries)
                .build()) {
            t = catchThrowable(() -> p.map(killsOnOne, List.of(0, 1, 2, 3)));
        }
        assertThat(t).isInstanceOf(WorkerCrashedException.class).hasMessageContaining("EXIT(1)");
        assertThat(Files.readAllLines(log))
                .as("runs of task 1 with retries(%d)", retries)
                .hasSize(1 + retries);
    }

    @Test
    void initializer_runsOncePerWorkerProcess() {
        try (ProcessPool own = ProcessPool.builder().build();
                Parallel p = Parallel.builder()
                        .nJobs(2)
                        .backend(own.backend())
                        .initializer(WorkerTasks.initializer())
                        .build()) {
            for (int round = 0; round < 2; round++) {
                List<Integer> runs = p.map(
                        i -> Integer.getInteger("joblib4j.test.init", 0),
                        IntStream.range(0, 20).boxed().toList());
                assertThat(Set.copyOf(runs)).containsExactly(1);
            }
        }
    }

    @Test
    void largeCapturedArray_sharedThroughTempFolder_removedAfterCall(@TempDir Path temp) throws Exception {
        double[] data = new double[1_000_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = 1;
        }
        try (Parallel p = Parallel.builder()
                .nJobs(2)
                .backend("processes")
                .tempFolder(temp)
                .build()) {
            List<Double> sums = p.map(
                    i -> sumFrom(data, i * 100_000),
                    IntStream.range(0, 10).boxed().toList());
            assertThat(sums).containsExactly(1e6, 9e5, 8e5, 7e5, 6e5, 5e5, 4e5, 3e5, 2e5, 1e5);
        }
        try (var files = Files.list(temp)) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    void concurrentCallsFromTwoThreads_shareThePoolCorrectly() throws Exception {
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<List<Integer>>> calls = new java.util.ArrayList<>();
            for (int c = 0; c < 2; c++) {
                int offset = c * 1000;
                calls.add(callers.submit(() -> {
                    try (Parallel p =
                            Parallel.builder().nJobs(2).backend("processes").build()) {
                        return p.map(
                                i -> i + offset, IntStream.range(0, 500).boxed().toList());
                    }
                }));
            }
            for (int c = 0; c < 2; c++) {
                int offset = c * 1000;
                assertThat(calls.get(c).get(60, java.util.concurrent.TimeUnit.SECONDS))
                        .isEqualTo(IntStream.range(0, 500)
                                .map(i -> i + offset)
                                .boxed()
                                .toList());
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void parallelsNotClosed_doNotPinWorkerProcessesBetweenCalls() {
        try (ProcessPool own = ProcessPool.builder().build()) {
            for (int i = 0; i < 20; i++) {
                Parallel p = Parallel.builder().nJobs(2).backend(own.backend()).build(); // never closed
                assertThat(p.map(ProcessParallelTest::pid, List.of(1, 2, 3))).hasSize(3);
            }
            assertThat(own.workerPids())
                    .as("idle workers are shared, not one pair per Parallel")
                    .hasSizeLessThanOrEqualTo(2);
        }
    }

    @Test
    void failingCallWithSharedArray_removesItsFolderToo(@TempDir Path temp) throws Exception {
        double[] data = new double[500_000];
        Throwable t;
        try (Parallel p = Parallel.builder()
                .nJobs(2)
                .backend("processes")
                .tempFolder(temp)
                .build()) {
            t = catchThrowable(() -> p.map(i -> i == 3 ? failWith(data) : sumFrom(data, i), List.of(0, 1, 2, 3, 4, 5)));
        }
        assertThat(t).isInstanceOf(IllegalStateException.class).hasMessageContaining("500000");
        try (var files = Files.list(temp)) {
            assertThat(files.toList()).isEmpty();
        }
    }

    static double failWith(double[] data) {
        throw new IllegalStateException("failing with an array of " + data.length);
    }

    static double sumFrom(double[] data, int from) {
        double s = 0;
        for (int i = from; i < data.length; i++) {
            s += data[i];
        }
        return s;
    }
}
