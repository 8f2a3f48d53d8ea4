package io.joblib4j.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.joblib4j.Joblib;
import io.joblib4j.hazelcast.HazelcastBackend;
import io.joblib4j.memory.Memory;
import io.joblib4j.parallel.Parallel;
import io.joblib4j.parallel.TaskFailure;
import io.joblib4j.parallel.TaskTimeoutException;
import io.joblib4j.parallel.WorkerCrashedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster backend against members in JVMs of their own, started as {@code ./joblib4j worker} starts them, on
 * 127.0.0.1: results, errors, a member killed with {@code kill -9} mid-call, all members killed, a member that joins
 * mid-call, timeouts on {@code --isolate processes}, and one {@code Memory} cache shared by two members. Members of
 * the shared cluster serve the tests that kill nothing; the others start their own and kill them by PID.
 */
@Timeout(240)
class ClusterJvmTest {
    @TempDir
    static Path temp;

    private static WorkerJvm first;
    private static WorkerJvm second;
    private static HazelcastBackend shared;

    @BeforeAll
    static void startSharedCluster() {
        String name = "jvm-shared-" + ProcessHandle.current().pid();
        first = WorkerJvm.start(temp.resolve("logs"), "--slots", "2", "--cluster-name", name);
        second = WorkerJvm.start(temp.resolve("logs"), "--slots", "2", "--cluster-name", name, "--join", first.address);
        shared = HazelcastBackend.connect(HazelcastBackend.clientConfig(name, first.address, second.address));
    }

    @AfterAll
    static void stopSharedCluster() {
        if (shared != null) {
            shared.close();
        }
        // A clean stop on SIGTERM: the member leaves the cluster and says so, and the JVM exits with 143 (the JVM's
        // status after SIGTERM once its shutdown hooks ran), never hangs.
        List<Integer> codes = new ArrayList<>();
        List<WorkerJvm> members = new ArrayList<>();
        for (WorkerJvm w : new WorkerJvm[] {second, first}) {
            if (w != null) {
                members.add(w);
                try {
                    codes.add(w.terminate());
                } finally {
                    w.close(); // kill -9 by PID if it is still there
                }
            }
        }
        assertThat(codes).containsOnly(143);
        for (WorkerJvm w : members) {
            assertThat(w.lines()).anyMatch(l -> l.startsWith("left cluster "));
        }
    }

    // ---- tasks (static: they run in the members' JVMs, which have this class path) ---------------------------

    static long pid() {
        return ProcessHandle.current().pid();
    }

    static long square(int i) {
        return (long) i * i;
    }

    static int failAt7(int i) {
        if (i == 7) {
            throw new IllegalArgumentException("bad input " + i);
        }
        return i;
    }

    /** Writes {@code dir/started-i-pid}, sleeps, returns {@code "i@pid"}. */
    static String markAndSleep(String dir, int i, int millis) {
        try {
            Files.writeString(Path.of(dir, "started-" + i + "-" + pid() + "-" + Joblib.currentAttempt()), "");
            Thread.sleep(millis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return i + "@" + pid();
    }

    /** Sleeps {@code millis} and will not be interrupted: only a killed process stops it early. */
    static int sleepIgnoringInterrupts(int millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            try {
                Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
            } catch (InterruptedException e) {
                // ignored on purpose
            }
        }
        return millis;
    }

    private static Set<Long> pidsThatStarted(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith("started-"))
                    .map(n -> Long.parseLong(n.split("-", -1)[2]))
                    .collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- tests on the shared cluster ---------------------------------------------------------------------------

    @Test
    void worker_logsItsJoinedLine() {
        assertThat(first.joinedLine)
                .matches("joined cluster jvm-shared-\\d+ as 127\\.0\\.0\\.1:\\d+, 1 members, 2 slots");
        assertThat(second.joinedLine)
                .matches("joined cluster jvm-shared-\\d+ as 127\\.0\\.0\\.1:\\d+, 2 members, 2 slots");
        assertThat(shared.members()).hasSize(2).containsValues(2, 2);
    }

    @Test
    void map_onTwoMemberJvms_returnsEveryResultInOrder_andUsesBoth() {
        try (Parallel p = Parallel.builder().backend(shared).nJobs(-1).build()) {
            assertThat(p.map(ClusterJvmTest::square, IntStream.range(0, 500).boxed()))
                    .isEqualTo(
                            IntStream.range(0, 500).mapToObj(i -> (long) i * i).toList());
            List<Long> pids = p.map(i -> sleepIgnoringInterrupts(100) > 0 ? pid() : 0L, Collections.nCopies(16, 0));
            assertThat(Set.copyOf(pids)).containsExactlyInAnyOrder(first.pid(), second.pid());
        }
    }

    @Test
    void map_taskThrows_sameTypeWithTheMemberAsTheWorker() {
        try (Parallel p = Parallel.builder().backend(shared).nJobs(4).build()) {
            Throwable t = catchThrowable(
                    () -> p.map(ClusterJvmTest::failAt7, IntStream.range(0, 40).boxed()));
            assertThat(t).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad input 7");
            TaskFailure failure = (TaskFailure) Arrays.stream(t.getSuppressed())
                    .filter(s -> s instanceof TaskFailure)
                    .findFirst()
                    .orElseThrow();
            assertThat(failure.getMessage()).contains("task 7").containsPattern("member 127\\.0\\.0\\.1:\\d+");
            // The instance survives the error.
            assertThat(p.map(ClusterJvmTest::square, List.of(3))).containsExactly(9L);
        }
    }

    static int memoCount(String cacheDir, String countDir, int x) {
        Memory memory = Memory.at(Path.of(cacheDir));
        return memory.cache("tripled", (Integer v) -> {
                    try {
                        Files.writeString(Path.of(countDir, "computed-" + v + "-" + pid()), "");
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    return 3 * v;
                })
                .apply(x);
    }

    @Test
    void memory_onASharedDirectory_twoMembersStoreAndHitOneCache(@TempDir Path dir) throws IOException {
        String cache = dir.resolve("cache").toString();
        Path counts = Files.createDirectories(dir.resolve("counts"));
        String countDir = counts.toString();
        try (Parallel p =
                Parallel.builder().backend(shared).nJobs(4).batchSize(1).build()) {
            List<Integer> inputs = IntStream.range(0, 24).boxed().toList();
            List<Integer> firstRun = p.map(x -> memoCount(cache, countDir, x), inputs);
            assertThat(firstRun).isEqualTo(inputs.stream().map(x -> 3 * x).toList());
            long computed;
            try (Stream<Path> s = Files.list(counts)) {
                computed = s.count();
            }
            // Each input computed at least once; two members may race on one input, never more often than that.
            assertThat(computed).isBetween(24L, 48L);
            List<Integer> secondRun = p.map(x -> memoCount(cache, countDir, x), inputs);
            assertThat(secondRun).isEqualTo(firstRun);
            try (Stream<Path> s = Files.list(counts)) {
                assertThat(s.count())
                        .as("the second run hits the cache on both members")
                        .isEqualTo(computed);
            }
            Set<String> computers;
            try (Stream<Path> s = Files.list(counts)) {
                computers =
                        s.map(f -> f.getFileName().toString().split("-", -1)[2]).collect(Collectors.toSet());
            }
            assertThat(computers).as("both members computed entries").hasSize(2);
        }
    }

    // ---- tests with members of their own -----------------------------------------------------------------------

    @Test
    void killMinus9_ofAMemberMidCall_everyResultExactlyOnce_thenAllKilled_failsPromptly(@TempDir Path dir)
            throws Exception {
        String name = "jvm-kill-" + ProcessHandle.current().pid();
        WorkerJvm first = WorkerJvm.start(temp.resolve("logs"), "--slots", "2", "--cluster-name", name);
        List<WorkerJvm> joining;
        try {
            // The two others join at the same time: no need to start them one after the other.
            List<String> join = List.of("--slots", "2", "--cluster-name", name, "--join", first.address);
            joining = WorkerJvm.startAll(temp.resolve("logs"), List.of(join, join));
        } catch (RuntimeException e) {
            first.close();
            throw e;
        }
        try (WorkerJvm a = first;
                WorkerJvm b = joining.get(0);
                WorkerJvm c = joining.get(1);
                HazelcastBackend backend =
                        HazelcastBackend.connect(HazelcastBackend.clientConfig(name, a.address, b.address));
                Parallel p = Parallel.builder()
                        .backend(backend)
                        .nJobs(-1)
                        .batchSize(1)
                        .build()) {
            String d = dir.toString();
            List<String> seen = new ArrayList<>();
            long[] killedAt = new long[1];
            try (Stream<String> s = p.streamUnordered(
                    i -> markAndSleep(d, i, 300), IntStream.range(0, 60).boxed())) {
                s.forEach(r -> {
                    seen.add(r);
                    if (killedAt[0] == 0 && pidsThatStarted(dir).contains(c.pid()) && seen.size() >= 6) {
                        c.kill9();
                        killedAt[0] = System.nanoTime();
                    }
                });
            }
            assertThat(killedAt[0]).as("the member was killed mid-call").isPositive();
            List<Integer> indices = seen.stream()
                    .map(r -> Integer.parseInt(r.split("@", -1)[0]))
                    .sorted()
                    .toList();
            assertThat(indices).isEqualTo(IntStream.range(0, 60).boxed().toList());
            // The call goes on with the two others: the survivors ran the lost tasks again (attempt 2).
            assertThat(p.map(ClusterJvmTest::square, List.of(1, 2, 3))).containsExactly(1L, 4L, 9L);
            assertThat(backend.members()).hasSize(2);

            // Now the two others die too, in the middle of a call of long tasks: a clear error, no hang.
            Path second = java.nio.file.Files.createDirectories(dir.resolve("second"));
            String d2 = second.toString();
            Thread killer = new Thread(() -> {
                Awaitility.await()
                        .atMost(Duration.ofSeconds(60))
                        .until(() -> pidsThatStarted(second).containsAll(List.of(a.pid(), b.pid())));
                a.kill9();
                b.kill9();
            });
            killer.start();
            long start = System.nanoTime();
            Throwable t = catchThrowable(() -> p.map(i -> markAndSleep(d2, i, 120_000), Collections.nCopies(8, 1)));
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            killer.join();
            assertThat(t)
                    .isInstanceOf(WorkerCrashedException.class)
                    .hasMessageContaining("no cluster member left")
                    .hasMessageContaining(a.address)
                    .hasMessageContaining(b.address);
            assertThat(seconds).as("no hang: far less than the tasks' 120 s").isLessThan(90);
        }
    }

    @Test
    void memberJoiningMidCall_getsWork(@TempDir Path dir) throws Exception {
        String name = "jvm-join-" + ProcessHandle.current().pid();
        try (WorkerJvm a = WorkerJvm.start(temp.resolve("logs"), "--slots", "1", "--cluster-name", name);
                HazelcastBackend backend = HazelcastBackend.connect(HazelcastBackend.clientConfig(name, a.address));
                Parallel p = Parallel.builder()
                        .backend(backend)
                        .nJobs(4)
                        .batchSize(1)
                        .build()) {
            String d = dir.toString();
            WorkerJvm[] late = new WorkerJvm[1];
            try {
                List<String> results = new ArrayList<>();
                try (Stream<String> s = p.stream(
                        i -> markAndSleep(d, i, 400), IntStream.range(0, 40).boxed())) {
                    s.forEach(r -> {
                        results.add(r);
                        if (late[0] == null) {
                            late[0] = WorkerJvm.start(
                                    temp.resolve("logs"), "--slots", "2", "--cluster-name", name, "--join", a.address);
                        }
                    });
                }
                assertThat(results).hasSize(40);
                Map<String, Long> byPid = results.stream()
                        .collect(Collectors.groupingBy(r -> r.split("@", -1)[1], Collectors.counting()));
                assertThat(byPid).containsKey(Long.toString(late[0].pid()));
            } finally {
                if (late[0] != null) {
                    late[0].close();
                }
            }
        }
    }

    @Test
    void timeout_onIsolatedProcesses_killsTheTaskAndTheMemberGoesOn() throws IOException {
        String name = "jvm-iso-" + ProcessHandle.current().pid();
        try (WorkerJvm a = WorkerJvm.start(
                temp.resolve("logs"), "--slots", "2", "--cluster-name", name, "--isolate", "processes")) {
            runWithTimeouts(name, a);
            // Stopped with SIGTERM, the member closes its process pool: nothing of it is left in the temp folders.
            assertThat(a.terminate()).isEqualTo(143);
            String prefix = "joblib4j-" + a.pid() + "-";
            for (Path base : List.of(Path.of("/dev/shm"), Path.of(System.getProperty("java.io.tmpdir")))) {
                if (Files.isDirectory(base)) {
                    try (Stream<Path> s = Files.list(base)) {
                        assertThat(s.map(f -> f.getFileName().toString()))
                                .as("left in " + base)
                                .noneMatch(n -> n.startsWith(prefix));
                    }
                }
            }
        }
    }

    private static void runWithTimeouts(String name, WorkerJvm a) {
        try (HazelcastBackend backend = HazelcastBackend.connect(HazelcastBackend.clientConfig(name, a.address));
                Parallel p = Parallel.builder()
                        .backend(backend)
                        .nJobs(2)
                        .timeout(Duration.ofSeconds(3))
                        .build()) {
            // A task that ignores interrupts: only a killed process stops it.
            Throwable t =
                    catchThrowable(() -> p.map(ClusterJvmTest::sleepIgnoringInterrupts, List.of(10, 120_000, 10)));
            assertThat(t).isInstanceOf(TaskTimeoutException.class).hasMessageContaining("task 1");
            List<Long> pids = p.map(i -> pid(), List.of(1, 2, 3, 4));
            assertThat(pids).doesNotContain(a.pid()); // tasks ran in the member's worker processes
            assertThat(p.map(ClusterJvmTest::sleepIgnoringInterrupts, List.of(50, 50)))
                    .containsExactly(50, 50);
        }
    }
}
