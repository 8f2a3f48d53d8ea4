package io.joblib4j.parallel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@code ParallelConfig.builder().initializer(...)}: joblib's {@code parallel_config(initializer=...)}. */
class ConfigInitializerTest {
    /** Initializer runs per thread, keyed by a tag naming the test and which initializer ran. */
    private static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();

    private static final ThreadLocal<String> TAG = new ThreadLocal<>();
    /** In a worker JVM (which its pool may reuse across calls): how many times each initializer ran there. */
    private static final Map<String, AtomicInteger> JVM_RUNS = new ConcurrentHashMap<>();

    private static volatile String jvmTag;

    static void record(String tag) {
        RUNS.computeIfAbsent(tag + "@" + Thread.currentThread().threadId(), k -> new AtomicInteger())
                .incrementAndGet();
        TAG.set(tag);
    }

    static String tagOfThisThread(int i) {
        return TAG.get();
    }

    static void recordInJvm(String tag) {
        JVM_RUNS.computeIfAbsent(tag, k -> new AtomicInteger()).incrementAndGet();
        jvmTag = tag;
    }

    static String tagAndRunsOfThisJvm(int i) {
        String tag = jvmTag;
        return tag + "x" + (tag == null ? 0 : JVM_RUNS.get(tag).get()) + "@"
                + ProcessHandle.current().pid();
    }

    private static List<Integer> runsOf(String tag) {
        return RUNS.entrySet().stream()
                .filter(e -> e.getKey().startsWith(tag + "@"))
                .map(e -> e.getValue().get())
                .toList();
    }

    @Test
    void configInitializer_onThreads_runsOncePerWorkerThreadBeforeItsTasks() {
        String tag = "threads-" + System.nanoTime();
        try (var _ = ParallelConfig.builder()
                        .nJobs(2)
                        .initializer(() -> record(tag))
                        .open();
                Parallel p = Parallel.builder().build()) {
            List<String> seen = p.map(
                    ConfigInitializerTest::tagOfThisThread,
                    IntStream.range(0, 40).boxed().toList());
            assertThat(seen).containsOnly(tag);
            seen = p.map(
                    ConfigInitializerTest::tagOfThisThread,
                    IntStream.range(0, 40).boxed().toList());
            assertThat(seen).containsOnly(tag);
        }
        assertThat(runsOf(tag)).isNotEmpty().hasSizeLessThanOrEqualTo(2).containsOnly(1);
    }

    @Test
    void builderInitializer_winsOverTheConfigOne() {
        String configTag = "config-" + System.nanoTime();
        String explicitTag = "explicit-" + System.nanoTime();
        try (var _ = ParallelConfig.builder()
                .nJobs(2)
                .initializer(() -> record(configTag))
                .open()) {
            List<String> seen = Parallel.builder()
                    .initializer(() -> record(explicitTag))
                    .build()
                    .map(
                            ConfigInitializerTest::tagOfThisThread,
                            IntStream.range(0, 20).boxed().toList());
            assertThat(seen).containsOnly(explicitTag);
        }
        assertThat(runsOf(configTag)).isEmpty();
        assertThat(runsOf(explicitTag)).isNotEmpty().containsOnly(1);
    }

    @Test
    void configInitializer_notRunByCallsNestedInTasks() {
        String tag = "nested-" + System.nanoTime();
        try (var _ =
                ParallelConfig.builder().nJobs(2).initializer(() -> record(tag)).open()) {
            List<List<String>> nested = Parallel.builder()
                    .build()
                    .map(
                            i -> Parallel.builder()
                                    .nJobs(2)
                                    .build()
                                    .map(ConfigInitializerTest::tagOfThisThread, List.of(1, 2)),
                            List.of(1, 2));
            assertThat(nested).hasSize(2);
        }
        assertThat(runsOf(tag)).isNotEmpty().containsOnly(1);
    }

    @Test
    void configInitializer_onProcesses_runsOncePerWorkerJvm() {
        String tag = "processes-" + System.nanoTime();
        List<String> seen;
        try (var _ = ParallelConfig.builder()
                        .backend("processes")
                        .nJobs(2)
                        .initializer(() -> recordInJvm(tag))
                        .open();
                Parallel p = Parallel.builder().build()) {
            seen = p.map(
                    ConfigInitializerTest::tagAndRunsOfThisJvm,
                    IntStream.range(0, 20).boxed().toList());
        }
        assertThat(seen)
                .allSatisfy(s -> assertThat(s).startsWith(tag + "x1@"))
                .noneSatisfy(s ->
                        assertThat(s).endsWith("@" + ProcessHandle.current().pid()));
    }

    @Test
    void builderInitializer_onProcesses_winsOverTheConfigOne() {
        String configTag = "config-p-" + System.nanoTime();
        String explicitTag = "explicit-p-" + System.nanoTime();
        List<String> seen;
        try (var _ = ParallelConfig.builder()
                        .initializer(() -> recordInJvm(configTag))
                        .open();
                Parallel p = Parallel.builder()
                        .backend("processes")
                        .nJobs(2)
                        .initializer(() -> recordInJvm(explicitTag))
                        .build()) {
            seen = p.map(
                    ConfigInitializerTest::tagAndRunsOfThisJvm,
                    IntStream.range(0, 10).boxed().toList());
        }
        assertThat(seen).allSatisfy(s -> assertThat(s).startsWith(explicitTag + "x1@"));
    }
}
