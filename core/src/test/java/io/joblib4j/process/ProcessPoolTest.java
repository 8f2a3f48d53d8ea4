package io.joblib4j.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.joblib4j.Task;
import io.joblib4j.parallel.TaskTimeoutException;
import io.joblib4j.parallel.WorkerCrashedException;
import java.io.NotSerializableException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link ProcessPool} as an ExecutorService, with real worker JVMs. */
class ProcessPoolTest {
    private static ProcessPool pool;

    @BeforeAll
    static void start() {
        pool = ProcessPool.builder().workers(2).build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void submit_returnsValueFromAnotherJvm() throws Exception {
        Future<Long> pid = pool.submit(WorkerTasks.pid());
        assertThat(pid.get(60, TimeUnit.SECONDS))
                .isNotEqualTo(ProcessHandle.current().pid());
        Future<Integer> v = pool.submit(WorkerTasks.times2(21));
        assertThat(v.get(60, TimeUnit.SECONDS)).isEqualTo(42);
    }

    @Test
    void invokeAll_keepsOrder() throws Exception {
        List<Task<Integer>> tasks =
                List.of(WorkerTasks.times2(1), WorkerTasks.sleepThen(200, 2), WorkerTasks.times2(3));
        List<Future<Integer>> futures = pool.invokeAll(tasks);
        assertThat(futures).allMatch(Future::isDone);
        assertThat(futures.stream().map(ProcessPoolTest::getQuietly).toList()).containsExactly(2, 2, 6);
    }

    @Test
    void invokeAny_returnsAFirstSuccess() throws Exception {
        List<Task<Integer>> tasks = List.of(WorkerTasks.throwing("no"), WorkerTasks.sleepThen(50, 9));
        assertThat(pool.invokeAny(tasks)).isEqualTo(9);
        assertThatThrownBy(() -> pool.invokeAny(List.of(WorkerTasks.throwing("nope"))))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void taskException_arrivesAsCauseWithItsType() {
        Future<Integer> f = pool.submit(WorkerTasks.throwing("bad 3"));
        assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad 3");
    }

    @Test
    void crashedWorker_failsWithExitStatus() {
        Future<Integer> f = pool.submit(WorkerTasks.exit(7));
        assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(WorkerCrashedException.class)
                .hasMessageContaining("EXIT(7)");
    }

    @Test
    void notSerializableCallable_failsNamingClass() {
        Object lock = new Object();
        Callable<Integer> plain = () -> lock.hashCode();
        Future<Integer> f = pool.submit(plain);
        assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(NotSerializableException.class)
                .hasMessageContaining("ProcessPoolTest");
    }

    @Test
    void execute_failureOfPlainRunnable_reachesUncaughtExceptionHandler() throws Exception {
        Thread.UncaughtExceptionHandler saved = Thread.getDefaultUncaughtExceptionHandler();
        java.util.concurrent.CompletableFuture<Throwable> seen = new java.util.concurrent.CompletableFuture<>();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> seen.complete(e));
        try {
            Object lock = new Object();
            pool.execute(() -> lock.notifyAll());
            assertThat(seen.get(60, TimeUnit.SECONDS))
                    .isInstanceOf(NotSerializableException.class)
                    .hasMessageContaining("ProcessPoolTest");
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(saved);
        }
    }

    @Test
    void cancelWithInterrupt_killsTheRunningWorker() throws Exception {
        Future<Long> pidF = pool.submit(WorkerTasks.pid());
        pidF.get(60, TimeUnit.SECONDS);
        Future<Integer> slow = pool.submit(WorkerTasks.sleepThen(30_000, 1));
        Thread.sleep(300);
        assertThat(slow.cancel(true)).isTrue();
        assertThat(slow.isCancelled()).isTrue();
        assertThat(pool.submit(WorkerTasks.times2(5)).get(60, TimeUnit.SECONDS)).isEqualTo(10);
    }

    @Test
    void timeout_killsWorkerAndFailsWithTaskTimeout() throws Exception {
        try (ProcessPool timed =
                ProcessPool.builder().workers(1).timeout(Duration.ofMillis(300)).build()) {
            Future<Integer> f = timed.submit(WorkerTasks.sleepThen(30_000, 1));
            assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS)).cause().isInstanceOf(TaskTimeoutException.class);
            assertThat(timed.submit(WorkerTasks.sleepThen(1, 3)).get(60, TimeUnit.SECONDS))
                    .isEqualTo(3);
        }
    }

    @Test
    void shutdown_letsTasksFinish_thenRejects() throws Exception {
        ProcessPool own = ProcessPool.builder().workers(1).build();
        Future<Integer> f = own.submit(WorkerTasks.sleepThen(200, 4));
        own.shutdown();
        assertThat(own.isShutdown()).isTrue();
        assertThatThrownBy(() -> own.submit(WorkerTasks.times2(1))).isInstanceOf(RejectedExecutionException.class);
        assertThat(own.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        assertThat(f.get()).isEqualTo(4);
        assertThat(own.isTerminated()).isTrue();
    }

    @Test
    void shutdownNow_killsRunningAndReturnsQueued() throws Exception {
        ProcessPool own = ProcessPool.builder().workers(1).build();
        Future<Long> pid = own.submit(WorkerTasks.pid());
        long worker = pid.get(60, TimeUnit.SECONDS);
        Future<Integer> running = own.submit(WorkerTasks.sleepThen(30_000, 1));
        var _ = own.submit(WorkerTasks.sleepThen(30_000, 2)); // stays queued: shutdownNow hands it back
        Thread.sleep(300);
        List<Runnable> queued = own.shutdownNow();
        assertThat(queued).hasSize(1);
        assertThat(running.isCancelled()).isTrue();
        assertThat(own.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        ProcessHandle.of(worker)
                .ifPresent(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).join());
    }

    private static <T> T getQuietly(Future<T> f) {
        try {
            return f.get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
