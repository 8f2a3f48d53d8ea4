package io.joblib4j.parallel;

import static io.joblib4j.Joblib.delayed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.joblib4j.SerializableFunction;
import io.joblib4j.Task;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every backend must have, written once: each backend has a subclass that names it. Tasks here are
 * static methods or lambdas without captured state where possible, so that backends running tasks in other JVMs
 * can take part.
 */
// the JUnit annotation of this test class is not part of the module API the exports lint looks at
@SuppressWarnings("exports")
@Timeout(300) // a guard against hangs only: on a loaded machine the process backend's streaming tests take ~1 min
public abstract class BackendContractTest {

    /** The backend's name, as given to {@code Parallel.builder().backend(name)}. */
    protected abstract String backendName();

    /** True if tasks really run at the same time on this backend (false for sequential). */
    protected boolean concurrent() {
        return true;
    }

    /** True if tasks run in this JVM (state shared with the test is visible). */
    protected boolean inProcess() {
        return true;
    }

    protected int nJobs() {
        return 2;
    }

    protected Parallel.Builder builder() {
        return Parallel.builder().backend(backendName()).nJobs(nJobs());
    }

    protected Parallel parallel() {
        return builder().build();
    }

    private Parallel shared;

    @BeforeEach
    void openShared() {
        shared = parallel();
    }

    @AfterEach
    void closeShared() {
        shared.close();
    }

    // ---- tasks used below (static, so they travel to other JVMs) ---------------------------------------------

    static double sqrtOfSquare(int i) {
        return Math.sqrt((double) i * i);
    }

    /** Set when a task sleeping in {@link #sleepThenReturn} is interrupted (in-process backends). */
    static final java.util.concurrent.atomic.AtomicBoolean SLEEP_INTERRUPTED =
            new java.util.concurrent.atomic.AtomicBoolean();

    static int sleepThenReturn(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            SLEEP_INTERRUPTED.set(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return millis;
    }

    /**
     * Waits until the file {@code path} exists, then returns {@code value}: a task the test releases when it is
     * ready (a file, so that tasks in other JVMs can wait for it too). Gives up after two minutes.
     */
    static int awaitFileThenReturn(String path, int value) {
        Path file = Path.of(path);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the test did not create " + path + " within two minutes");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + path, e);
            }
        }
        return value;
    }

    static int assertionFailsOn(int i, int bad) {
        if (i == bad) {
            throw new AssertionError("assertion failed on " + i);
        }
        return i;
    }

    static int failOn(int i, int bad) {
        if (i == bad) {
            throw new IllegalArgumentException("bad input " + i);
        }
        return i;
    }

    static final class CheckedFailure extends Exception {
        CheckedFailure(String message) {
            super(message);
        }
    }

    // ---- results ---------------------------------------------------------------------------------------------

    @Test
    void map_sqrtExample_returnsValuesInInputOrder() {
        List<Double> result = shared.map(
                BackendContractTest::sqrtOfSquare,
                IntStream.range(0, 10).boxed().toList());
        assertThat(result).containsExactly(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0);
    }

    @Test
    void run_delayedTasksFromStreamOrIterable_returnsValuesInInputOrder() {
        List<Task<Double>> tasks = IntStream.range(0, 50)
                .mapToObj(i -> (Task<Double>) delayed(BackendContractTest::sqrtOfSquare, i))
                .toList();
        assertThat(shared.run(tasks)).hasSize(50).element(49).isEqualTo(49.0);
        assertThat(shared.run(tasks.stream())).isEqualTo(shared.run(tasks));
    }

    @Test
    void map_manyTinyTasks_allResultsInOrder() {
        int n = 200_000;
        List<Integer> out = shared.map(
                BackendContractTest::failOnNothing,
                IntStream.range(0, n).boxed().toList());
        assertThat(out).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(out.get(i)).isEqualTo(i);
        }
    }

    static int failOnNothing(int i) {
        return i;
    }

    @Test
    void map_overListsSetsAndIterables_returnsAMutableListInInputOrder() {
        List<Integer> expected = IntStream.range(0, 3_000).boxed().toList();
        List<Iterable<Integer>> inputs = List.of(
                expected,
                new ArrayList<>(expected),
                java.util.Collections.unmodifiableCollection(expected),
                new java.util.LinkedHashSet<>(expected),
                () -> expected.iterator());
        for (Iterable<Integer> input : inputs) {
            List<Integer> out = shared.map(BackendContractTest::failOnNothing, input);
            assertThat(out).as("map over a %s", input.getClass()).isEqualTo(expected);
            out.set(0, -1);
            out.add(3_000);
            assertThat(out).hasSize(3_001).startsWith(-1, 1).endsWith(2_999, 3_000);
        }
    }

    @Test
    void map_overACollectionWhoseSizeIsWrong_returnsAValueForEachItemItYields() {
        List<Integer> items = IntStream.range(0, 1_000).boxed().toList();
        for (int claimed : new int[] {1, 10, 999, 1_001, 5_000}) {
            java.util.Collection<Integer> lying = new java.util.AbstractCollection<>() {
                @Override
                public java.util.Iterator<Integer> iterator() {
                    return items.iterator();
                }

                @Override
                public int size() {
                    return claimed;
                }
            };
            assertThat(shared.map(BackendContractTest::failOnNothing, lying))
                    .as("a collection of 1000 items whose size() says %d", claimed)
                    .isEqualTo(items);
        }
    }

    @Test
    void map_emptyInput_returnsEmptyList() {
        assertThat(shared.map(BackendContractTest::sqrtOfSquare, List.<Integer>of()))
                .isEmpty();
    }

    @Test
    void map_taskReturnsNull_nullIsAResult() {
        List<Object> out = shared.map(BackendContractTest::nullFor, List.of(1, 2, 3));
        assertThat(out).containsExactly(null, null, null);
    }

    static Object nullFor(int i) {
        return null;
    }

    @Test
    void stream_deliversInInputOrder() {
        try (Stream<Integer> s = shared.stream(BackendContractTest::sleepThenReturn, List.of(200, 0, 50, 0))) {
            assertThat(s.toList()).containsExactly(200, 0, 50, 0);
        }
    }

    @Test
    void stream_infiniteInput_readsInputOnlyAheadOfConsumerBoundedly() {
        AtomicLong read = new AtomicLong();
        Iterator<Task<Double>> infinite = new Iterator<>() {
            long i;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Task<Double> next() {
                read.incrementAndGet();
                return delayed(BackendContractTest::sqrtOfSquare, (int) (i++ % 1000));
            }
        };
        Iterable<Task<Double>> input = () -> infinite;
        try (Stream<Double> s = shared.stream(input)) {
            Iterator<Double> it = s.iterator();
            for (int i = 0; i < 200_000; i++) {
                it.next();
            }
            // Input is read only a bounded distance (preDispatch batches) ahead of what was consumed.
            assertThat(read.get()).isLessThan(200_000 + 2_000_000);
        }
    }

    @Test
    void streamUnordered_deliversInCompletionOrder(@TempDir Path temp) throws IOException {
        Path release = temp.resolve("release");
        if (!concurrent()) {
            Files.createFile(release); // one task at a time: nothing can complete before the first one
        }
        String releasePath = release.toString();
        SerializableFunction<Integer, Integer> firstWaits = i -> i == 0 ? awaitFileThenReturn(releasePath, 600) : i;
        try (Parallel p = builder().batchSize(1).build();
                Stream<Integer> s = p.streamUnordered(firstWaits, List.of(0, 1, 2))) {
            Iterator<Integer> it = s.iterator();
            if (concurrent()) {
                // Task 0 cannot complete until the two later ones have been delivered.
                assertThat(List.of(it.next(), it.next())).containsExactlyInAnyOrder(1, 2);
                Files.createFile(release);
                assertThat(it.next()).isEqualTo(600);
            } else {
                assertThat(List.of(it.next(), it.next(), it.next())).containsExactlyInAnyOrder(600, 1, 2);
            }
            assertThat(it.hasNext()).isFalse();
        }
    }

    @Test
    void preDispatch_readsExactlyThatManyBatchesAhead(@TempDir Path temp) throws Exception {
        Path release = temp.resolve("release");
        String releasePath = release.toString();
        AtomicLong pulled = new AtomicLong();
        Iterable<Integer> input = () -> new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return i < 20;
            }

            @Override
            public Integer next() {
                pulled.incrementAndGet();
                return i++;
            }
        };
        SerializableFunction<Integer, Integer> waitForRelease = i -> awaitFileThenReturn(releasePath, i);
        int expected = concurrent() ? 3 : 1; // one worker runs sequentially: one task at a time
        try (Parallel p = builder()
                        .nJobs(concurrent() ? 2 : 1)
                        .preDispatch("3")
                        .batchSize(1)
                        .build();
                Stream<Integer> s = p.stream(waitForRelease, input)) {
            Iterator<Integer> it = s.iterator();
            java.util.concurrent.atomic.AtomicReference<Object> first =
                    new java.util.concurrent.atomic.AtomicReference<>();
            Thread consumer = Thread.ofPlatform().daemon().start(() -> first.set(it.next()));
            // Wait until the call has dispatched what it will and waits for a result (or runs task 0 itself).
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> waitsForAResult(consumer));
            assertThat(pulled.get()).as("inputs read before any task completed").isEqualTo(expected);
            Files.createFile(release);
            consumer.join(TimeUnit.MINUTES.toMillis(2));
            assertThat(first.get()).isEqualTo(0);
            List<Integer> rest = new ArrayList<>();
            it.forEachRemaining(rest::add);
            assertThat(rest)
                    .containsExactlyElementsOf(IntStream.range(1, 20).boxed().toList());
        }
    }

    /** True if {@code t} is blocked in a Parallel call waiting for a batch to finish, or in a task waiting for a file. */
    private static boolean waitsForAResult(Thread t) {
        Thread.State state = t.getState();
        if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING) {
            return false;
        }
        boolean inTake = false;
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getMethodName().equals("awaitFileThenReturn")) {
                return true;
            }
            if (e.getClassName().equals(java.util.concurrent.LinkedBlockingQueue.class.getName())
                    && e.getMethodName().equals("take")) {
                inTake = true;
            }
            if (inTake
                    && e.getClassName().equals(ParallelRun.class.getName())
                    && e.getMethodName().equals("advance")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void outcomes_failingTasks_giveFailuresInPlaceAndNeverThrow() {
        List<Outcome<Integer>> outs;
        try (Stream<Outcome<Integer>> s = shared.outcomes(
                BackendContractTest::failOnOdd, IntStream.range(0, 20).boxed().toList())) {
            outs = s.toList();
        }
        assertThat(outs).hasSize(20);
        for (int i = 0; i < 20; i++) {
            Outcome<Integer> o = outs.get(i);
            assertThat(o.index()).isEqualTo(i);
            if (i % 2 == 1) {
                assertThat(o.isFailure()).isTrue();
                assertThat(o.failure())
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("odd " + i);
                assertThatThrownBy(o::value).isInstanceOf(IllegalArgumentException.class);
            } else {
                assertThat(o.value()).isEqualTo(i);
            }
        }
    }

    static int failOnOdd(int i) {
        if (i % 2 == 1) {
            throw new IllegalArgumentException("odd " + i);
        }
        return i;
    }

    // ---- errors ----------------------------------------------------------------------------------------------

    @Test
    void map_taskThrowsUnchecked_rethrowsSameTypeWithTaskFailure() {
        Throwable t = catchThrowable(() ->
                shared.map(x -> failOn(x, 3), IntStream.range(0, 10).boxed().toList()));
        assertThat(t).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad input 3");
        assertThat(t.getSuppressed()).hasAtLeastOneElementOfType(TaskFailure.class);
        TaskFailure where = (TaskFailure) java.util.Arrays.stream(t.getSuppressed())
                .filter(TaskFailure.class::isInstance)
                .findFirst()
                .orElseThrow();
        assertThat(where.taskIndex()).isEqualTo(3);
        assertThat(where.call()).contains("(3)");
        assertThat(where.backend()).isEqualTo(backendName());
        assertThat(where.worker()).isNotBlank();
    }

    @Test
    void run_taskThrowsChecked_wrappedInTaskFailedException() {
        Task<Integer> bad = () -> {
            throw new CheckedFailure("checked!");
        };
        Throwable t = catchThrowable(() -> shared.run(List.of(bad)));
        assertThat(t).isInstanceOf(TaskFailedException.class).hasCauseInstanceOf(CheckedFailure.class);
        assertThat(((TaskFailedException) t).taskIndex()).isZero();
        assertThat(t.getCause()).hasMessage("checked!");
    }

    @Test
    void map_twoFailures_firstInInputOrderWins() {
        Throwable t = catchThrowable(() -> shared.map(
                BackendContractTest::failTwoAndFive,
                IntStream.range(0, 8).boxed().toList()));
        assertThat(t).isInstanceOf(IllegalStateException.class).hasMessageContaining("task 2");
    }

    static int failTwoAndFive(int i) {
        if (i == 5) {
            throw new IllegalStateException("task 5");
        }
        if (i == 2) {
            throw new IllegalStateException("task 2");
        }
        return i;
    }

    @Test
    void map_oneFailsAtOnceAmongLongTasks_returnsPromptly() {
        int bad = concurrent() ? 1 : 0;
        long start = System.nanoTime();
        Throwable t = catchThrowable(() -> shared.map(
                i -> i == bad ? failOn(i, bad) : sleepThenReturn(120_000),
                IntStream.range(0, 100).boxed().toList()));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(t).isInstanceOf(IllegalArgumentException.class);
        assertThat(millis)
                .as("call returned after a failure, not after the 2-minute tasks")
                .isLessThan(60_000);
    }

    @Test
    void map_taskThrowsError_abortsTheOtherTasksAtOnce() {
        int bad = concurrent() ? 1 : 0;
        Throwable t = catchThrowable(() -> shared.map(
                i -> i == bad ? assertionFailsOn(i, bad) : sleepThenReturn(120_000),
                IntStream.range(0, 10).boxed().toList()));
        assertThat(t).isInstanceOf(AssertionError.class).hasMessageContaining("assertion failed on " + bad);
        assertThat(t.getSuppressed())
                .anySatisfy(s -> assertThat(s)
                        .isInstanceOfSatisfying(
                                TaskFailure.class,
                                f -> assertThat(f.taskIndex()).isEqualTo(bad)));
        // The sleeping tasks were stopped with the call: the next call gets the workers at once, not in 2 minutes.
        List<Integer> next = assertTimeoutPreemptively(
                Duration.ofSeconds(60), () -> shared.map(BackendContractTest::failOnNothing, List.of(1, 2, 3)));
        assertThat(next).containsExactly(1, 2, 3);
    }

    @Test
    void run_inputIteratorThrows_reachesCallerAsItself() {
        UncheckedIOException boom = new UncheckedIOException(new IOException("input broke"));
        Iterable<Task<Integer>> input = () -> new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Task<Integer> next() {
                if (i == 5) {
                    throw boom;
                }
                return delayed(BackendContractTest::failOnNothing, i++);
            }
        };
        assertThatThrownBy(() -> shared.run(input)).isSameAs(boom);
    }

    @Test
    void run_nullTaskInInput_failsNamingIndex() {
        List<Task<Integer>> tasks = new ArrayList<>(List.of(delayed(BackendContractTest::failOnNothing, 0)));
        tasks.add(null);
        assertThatThrownBy(() -> shared.run(tasks))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("task 1");
        assertThatThrownBy(() -> shared.run(java.util.Collections.unmodifiableCollection(tasks)))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("task 1");
    }

    @Test
    void instance_afterFailure_remainsUsable() {
        assertThatThrownBy(() -> shared.map(x -> failOn(x, 0), List.of(0, 1, 2)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(shared.map(BackendContractTest::failOnNothing, List.of(1, 2, 3)))
                .containsExactly(1, 2, 3);
    }

    @Test
    void timeout_taskRunsTooLong_throwsTaskTimeoutException() {
        SLEEP_INTERRUPTED.set(false);
        try (Parallel p = builder().timeout(Duration.ofSeconds(2)).build()) {
            long start = System.nanoTime();
            Throwable t = catchThrowable(() -> p.map(BackendContractTest::sleepThenReturn, List.of(0, 120_000, 0)));
            assertThat(t).isInstanceOf(TaskTimeoutException.class).hasMessageContaining("task 1");
            assertThat(((TaskTimeoutException) t).timeout()).isEqualTo(Duration.ofSeconds(2));
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(60_000);
            if (inProcess()) {
                // The timed-out task's thread was interrupted.
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilTrue(SLEEP_INTERRUPTED);
            }
            // The instance is still usable, and the timeout counts from each task's start.
            assertThat(p.map(BackendContractTest::sleepThenReturn, List.of(100, 100, 100, 100)))
                    .hasSize(4);
        }
    }

    @Test
    void timeout_countsPerTask_notPerBatch() {
        try (Parallel p = builder().timeout(Duration.ofSeconds(2)).batchSize(25).build()) {
            // Batches of 25 tasks of 100 ms take 2.5 s, longer than the timeout; no single task comes close.
            assertThat(p.map(BackendContractTest::sleepThenReturn, Collections.nCopies(50, 100)))
                    .hasSize(50);
        }
    }

    // ---- lifecycle -------------------------------------------------------------------------------------------

    @Test
    void close_fromAnotherThreadWhileACallRuns_endsTheCall_neverLeavesItWaiting() throws Exception {
        java.util.concurrent.CountDownLatch firstDone = new java.util.concurrent.CountDownLatch(1);
        Parallel p = builder()
                .onProgress(progress -> {
                    if (progress.completed() > 0) {
                        firstDone.countDown();
                    }
                })
                .build();
        java.util.concurrent.CompletableFuture<Object> call = new java.util.concurrent.CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                call.complete(p.map(BackendContractTest::sleepThenReturn, Collections.nCopies(40, 100)));
            } catch (RuntimeException e) {
                call.complete(e);
            }
        });
        caller.start();
        try {
            assertThat(firstDone.await(2, TimeUnit.MINUTES))
                    .as("a first task ended")
                    .isTrue();
            p.close();
            // it ends: with its values if it got them all, else with an exception, but it does not wait for ever
            Object outcome = call.get(2, TimeUnit.MINUTES);
            if (outcome instanceof List<?> values) {
                assertThat(values).hasSize(40);
            } else {
                assertThat(outcome).isInstanceOf(RuntimeException.class);
            }
        } finally {
            p.close();
            caller.join(TimeUnit.MINUTES.toMillis(2));
            SLEEP_INTERRUPTED.set(false);
        }
    }

    @Test
    void secondCallWhileStreamOpen_throwsIllegalState() {
        Stream<Integer> open = shared.stream(BackendContractTest::failOnNothing, List.of(1, 2, 3));
        Iterator<Integer> it = open.iterator();
        assertThat(it.next()).isEqualTo(1);
        assertThatThrownBy(() -> shared.map(BackendContractTest::failOnNothing, List.of(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already running");
        open.close();
        assertThat(shared.map(BackendContractTest::failOnNothing, List.of(7))).containsExactly(7);
    }

    @Test
    void stream_closedEarly_cancelsAndFreesInstance() {
        Stream<Integer> s = shared.stream(BackendContractTest::sleepThenReturn, Collections.nCopies(50, 200));
        assertThat(s.limit(1).toList()).containsExactly(200);
        s.close();
        assertThat(shared.map(BackendContractTest::failOnNothing, List.of(1))).containsExactly(1);
    }

    @Test
    void stream_abandonedWithoutClose_isCancelledOnceGarbage() {
        List<Integer> firstOnly = shared.stream(BackendContractTest::sleepThenReturn, Collections.nCopies(50, 100))
                .limit(1)
                .toList();
        assertThat(firstOnly).containsExactly(100);
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .ignoreException(IllegalStateException.class)
                .until(() -> {
                    System.gc();
                    return shared.map(BackendContractTest::failOnNothing, List.of(5))
                            .equals(List.of(5));
                });
    }

    @Test
    void progressListener_seesCompletedCountUpToTotal() {
        List<ProgressListener.Progress> seen = Collections.synchronizedList(new ArrayList<>());
        try (Parallel p = builder().onProgress(seen::add).build()) {
            p.map(
                    BackendContractTest::failOnNothing,
                    IntStream.range(0, 30).boxed().toList());
        }
        assertThat(seen).isNotEmpty();
        ProgressListener.Progress last = seen.getLast();
        assertThat(last.completed()).isEqualTo(30);
        assertThat(last.total()).hasValue(30);
        for (int i = 1; i < seen.size(); i++) {
            assertThat(seen.get(i).completed())
                    .isGreaterThanOrEqualTo(seen.get(i - 1).completed());
        }
    }

    @Test
    void verbose_printsJoblibMessagesOnStderr() {
        PrintStream saved = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try (Parallel p = builder().verbose(11).build()) {
            p.map(
                    BackendContractTest::failOnNothing,
                    IntStream.range(0, 4).boxed().toList());
        } finally {
            System.setErr(saved);
        }
        String err = buf.toString(StandardCharsets.UTF_8);
        assertThat(err)
                .containsPattern("\\[Parallel\\(n_jobs=\\d+\\)\\]: Using backend \\w+ with \\d+ concurrent workers\\.");
        assertThat(err).contains("Done   4 out of   4 | elapsed:").contains("finished");
    }

    // ---- in-process behaviour --------------------------------------------------------------------------------

    static final Set<String> INITIALIZED = ConcurrentHashMap.newKeySet();
    static final AtomicLong INIT_CALLS = new AtomicLong();

    @Test
    void initializer_runsOncePerWorker() {
        if (!inProcess()) {
            return;
        }
        INITIALIZED.clear();
        INIT_CALLS.set(0);
        try (Parallel p = builder()
                .initializer(() -> {
                    INIT_CALLS.incrementAndGet();
                    INITIALIZED.add(Thread.currentThread().getName());
                })
                .build()) {
            for (int round = 0; round < 3; round++) {
                List<String> where = p.map(
                        i -> Thread.currentThread().getName(),
                        IntStream.range(0, 100).boxed().toList());
                assertThat(INITIALIZED).containsAll(Set.copyOf(where));
            }
        }
        assertThat(INIT_CALLS.get()).isBetween(1L, (long) Math.max(1, nJobs()));
    }

    @Test
    void reuse_sameInstanceAcrossCalls_keepsWorkers() {
        if (!inProcess()) {
            return;
        }
        SerializableFunction<Integer, String> where = i -> {
            sleepThenReturn(20);
            return Thread.currentThread().getName();
        };
        try (Parallel p = parallel()) {
            Set<String> first =
                    Set.copyOf(p.map(where, IntStream.range(0, 20).boxed().toList()));
            Set<String> second =
                    Set.copyOf(p.map(where, IntStream.range(0, 20).boxed().toList()));
            assertThat(first).containsAll(second);
        }
    }

    @Test
    void nestedCall_insideTask_runsSequentiallyInTheWorker() {
        if (!inProcess()) {
            return;
        }
        List<List<String>> inner = shared.map(
                i -> {
                    String outer = Thread.currentThread().getName();
                    List<String> names =
                            Parallel.of(4).map(j -> Thread.currentThread().getName(), List.of(1, 2, 3));
                    return names.stream()
                            .map(n -> n.equals(outer) ? "same" : "other")
                            .toList();
                },
                List.of(1, 2));
        if (concurrent()) {
            assertThat(inner).allSatisfy(l -> assertThat(l).containsOnly("same"));
        }
    }

    @Test
    void configScope_inheritedByTasks_andExplicitSettingsWin() {
        if (!inProcess()) {
            return;
        }
        try (var _ = ParallelConfig.builder().nJobs(3).open()) {
            List<Object> seen = shared.map(i -> ParallelConfig.currentBackend(), List.of(1));
            // Inside a task, calls default to the backend's nested backend; a sequential call passes the caller's
            // configuration through unchanged (the scope sets no backend).
            assertThat(seen.getFirst()).isEqualTo(concurrent() ? "sequential" : null);
            assertThat(shared.resolve().workers()).isEqualTo(concurrent() ? nJobs() : 1);
        }
    }

    static long distinct(List<String> names) {
        return names.stream().collect(Collectors.toSet()).size();
    }

    @Test
    void map_longRangeOfInputs_streamsThroughWithoutMaterialisingInput() {
        long n = 2_000_000;
        try (Stream<Long> s = shared.stream(
                BackendContractTest::identity, LongStream.range(0, n).boxed())) {
            assertThat(s.mapToLong(Long::longValue).sum()).isEqualTo(n * (n - 1) / 2);
        }
    }

    static long identity(long x) {
        return x;
    }

    /** A serializable marker so lambdas in this class can be sent to other JVMs. */
    interface SerializableMarker extends Serializable {}
}
