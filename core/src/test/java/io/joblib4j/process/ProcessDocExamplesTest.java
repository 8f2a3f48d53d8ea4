package io.joblib4j.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.joblib4j.Task;
import io.joblib4j.array.DType;
import io.joblib4j.array.MmapMode;
import io.joblib4j.array.NdArray;
import io.joblib4j.array.Npy;
import io.joblib4j.parallel.Parallel;
import io.joblib4j.parallel.TaskTimeoutException;
import io.joblib4j.parallel.WorkerCrashedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples of docs/processes.md: each region between tag comments is copied into the document. */
class ProcessDocExamplesTest {

    static double slowSquare(int x) {
        return (double) x * x;
    }

    static int hangsOn(int x) {
        if (x == 3) {
            while (true) {
                Thread.onSpinWait(); // a hung native call, an endless loop that ignores interrupts...
            }
        }
        return x;
    }

    static int crashesOn(int x) {
        if (x == 2) {
            Runtime.getRuntime().halt(134); // what a crash in native code looks like from outside
        }
        // A task of 1 ms: the worker sends each value before the next task starts, so the crash is blamed on its
        // task exactly (values of tasks under 50 us go in groups; see "Which task a crash is blamed on").
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return x;
    }

    static int fill(NdArray out, int i) {
        out.setFlatDouble(i, Math.sqrt(i));
        return i;
    }

    @Test
    void basic() {
        // tag::basic[]
        try (Parallel p = Parallel.builder().nJobs(2).backend("processes").build()) {
            List<Double> squares = p.map(ProcessDocExamplesTest::slowSquare, List.of(1, 2, 3, 4));
            // [1.0, 4.0, 9.0, 16.0], computed in two worker JVMs
            // end::basic[]
            assertThat(squares).containsExactly(1.0, 4.0, 9.0, 16.0);
        }
    }

    @Test
    void hardTimeout() {
        // tag::timeout[]
        try (Parallel p = Parallel.builder()
                .nJobs(2)
                .backend("processes")
                .timeout(Duration.ofSeconds(1))
                .build()) {
            p.map(ProcessDocExamplesTest::hangsOn, List.of(1, 2, 3, 4));
        } catch (TaskTimeoutException e) {
            // "task 2: hangsOn(3) on backend processes, worker worker-12345 timed out after 1.0s"
            // The worker was killed (a thread could only have been asked to stop) and is replaced.
            // end::timeout[]
            assertThat(e.getMessage()).contains("task 2: hangsOn(3)");
            return;
        }
        throw new AssertionError("expected a timeout");
    }

    @Test
    void crashAndRetries() {
        // tag::crash[]
        Throwable t;
        try (Parallel p = Parallel.builder().nJobs(2).backend("processes").build()) {
            t = catchThrowable(() -> p.map(ProcessDocExamplesTest::crashesOn, List.of(1, 2, 3)));
        }
        // t is a WorkerCrashedException:
        // "worker crashed with SIGABRT(-6) while running task 1: crashesOn(2) on backend processes, worker worker-4242"
        // end::crash[]
        assertThat(t).isInstanceOf(WorkerCrashedException.class);
        assertThat(((WorkerCrashedException) t).exitStatus()).isEqualTo("SIGABRT(-6)");
        assertThat(t.getMessage()).contains("crashesOn(2)");
    }

    @Test
    void sharedArrays(@TempDir Path dir) throws Exception {
        // tag::memmap[]
        NdArray data = NdArray.wrap(new double[10_000_000]); // 80 MB, larger than maxNbytes (1 MiB)
        List<Long> starts = IntStream.range(0, 96).mapToObj(i -> i * 100_000L).toList();
        try (Parallel p = Parallel.builder().nJobs(2).backend("processes").build()) {
            // The array is written once to /dev/shm and every worker maps it: no copy per task.
            // Each task reads its window where it lies, at memory speed: NumPy's data[s:s + 500_000].mean()
            List<Double> means = p.map(s -> data.slice(s, s + 500_000).mean(), starts);
            // end::memmap[]
            assertThat(means).hasSize(96).containsOnly(0.0);
        }
        // tag::readwrite[]
        NdArray out = Npy.create(dir.resolve("out.npy"), DType.FLOAT64, 1000); // a file-mapped array
        try (Parallel p = Parallel.builder()
                .nJobs(2)
                .backend("processes")
                .mmapMode(MmapMode.READ_WRITE)
                .build()) {
            p.map(i -> fill(out, i), IntStream.range(0, 1000).boxed().toList());
        }
        // The workers wrote into the same file: out.getFlatDouble(9) == 3.0 here, in the parent.
        // end::readwrite[]
        assertThat(out.getFlatDouble(9)).isEqualTo(3.0);
    }

    @Test
    void executorService() throws Exception {
        // tag::pool[]
        try (ProcessPool pool = ProcessPool.builder()
                .workers(2)
                .jvmOptions("-Xmx256m")
                .environment("OMP_NUM_THREADS", "1")
                .maxTasksPerWorker(1000)
                .timeout(Duration.ofMinutes(5))
                .build()) {
            Future<String> f = pool.submit((Task<String>) () -> System.getenv("OMP_NUM_THREADS"));
            String value = f.get(); // "1", read in a worker JVM
            // The same workers can run Parallel calls too:
            try (Parallel p =
                    Parallel.builder().nJobs(2).backend(pool.backend()).build()) {
                p.map(ProcessDocExamplesTest::slowSquare, List.of(5, 6));
            }
            // end::pool[]
            assertThat(value).isEqualTo("1");
        }
    }
}
