package io.joblib4j.micrometer;

import static io.joblib4j.Joblib.delayed;
import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.memory.CacheEntry;
import io.joblib4j.memory.CachedFunction;
import io.joblib4j.memory.Memory;
import io.joblib4j.parallel.Outcome;
import io.joblib4j.parallel.Parallel;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.MeterNotFoundException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each meter's value after known runs: threads, worker JVMs (one killed once), and a cache miss and hit. */
class JoblibMetricsTest {
    @TempDir
    Path tmp;

    static int twice(int x) {
        return 2 * x;
    }

    /** Task 5 throws; task 9 kills its worker JVM the first time (the marker file is the test-and-set). */
    static int work(String marker, int i) {
        if (i == 5) {
            throw new IllegalArgumentException("five");
        }
        if (i == 9) {
            try {
                Files.createFile(Path.of(marker));
                Runtime.getRuntime().halt(1);
            } catch (java.nio.file.FileAlreadyExistsException crashedBefore) {
                // the retry runs normally
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return i;
    }

    @Test
    void bindTo_countsTasksBatchesWorkersAndCache() {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (JoblibMetrics _ = JoblibMetrics.bindTo(registry)) {
            // threads: 20 tasks in 4 batches; a task sees its call's 2 workers active
            List<Double> active = Parallel.builder()
                    .nJobs(2)
                    .batchSize(5)
                    .build()
                    .map(
                            (Integer i) -> registry.get("joblib4j.workers.active")
                                    .tag("backend", "threads")
                                    .gauge()
                                    .value(),
                            IntStream.range(0, 20).boxed().toList());
            assertThat(active).containsOnly(2.0);
            assertThat(count(registry, "joblib4j.tasks.completed", "threads")).isEqualTo(20);
            assertThat(registry.get("joblib4j.batch.duration")
                            .tag("backend", "threads")
                            .timer()
                            .count())
                    .isEqualTo(4);
            assertThat(registry.get("joblib4j.batch.duration")
                            .tag("backend", "threads")
                            .timer()
                            .totalTime(TimeUnit.NANOSECONDS))
                    .isPositive();
            assertThat(registry.get("joblib4j.workers.active")
                            .tag("backend", "threads")
                            .gauge()
                            .value())
                    .isZero();

            // processes: 12 tasks in batches of 2; task 5 fails, task 9's worker dies once and its rest is retried
            String marker = tmp.resolve("crashed").toString();
            List<Outcome<Integer>> outcomes;
            try (Parallel p = Parallel.builder()
                    .backend("processes")
                    .nJobs(2)
                    .batchSize(2)
                    .retries(1)
                    .build()) {
                try (var s = p.outcomes(IntStream.range(0, 12)
                        .mapToObj(i -> delayed(JoblibMetricsTest::work, marker, i))
                        .toList())) {
                    outcomes = s.toList();
                }
            }
            assertThat(outcomes.stream().filter(Outcome::isFailure).count()).isEqualTo(1);
            assertThat(count(registry, "joblib4j.tasks.completed", "processes")).isEqualTo(11);
            assertThat(count(registry, "joblib4j.tasks.failed", "processes")).isEqualTo(1);
            // task 9 at least; task 8 too when its value had not reached the parent before the crash
            assertThat(count(registry, "joblib4j.tasks.retried", "processes")).isBetween(1.0, 2.0);
            assertThat(registry.get("joblib4j.workers.active")
                            .tag("backend", "processes")
                            .gauge()
                            .value())
                    .isZero();

            // cache: one miss, then one hit, in one location
            Path location = tmp.resolve("cache");
            Memory memory = Memory.builder().location(location).verbose(0).build();
            CachedFunction<Integer, Integer> f = memory.cache("twice", JoblibMetricsTest::twice);
            assertThat(f.apply(21)).isEqualTo(42);
            assertThat(f.apply(21)).isEqualTo(42);
            String function = memory.entries().getFirst().functionId();
            assertThat(registry.get("joblib4j.cache.misses")
                            .tag("function", function)
                            .counter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get("joblib4j.cache.hits")
                            .tag("function", function)
                            .counter()
                            .count())
                    .isEqualTo(1);
            // the other paths: callAndShelve finds the entry (a hit), a forced call computes again (a miss)
            assertThat(f.callAndShelve(21).get()).isEqualTo(42);
            assertThat(f.call(21).output()).isEqualTo(42);
            assertThat(f.callAndShelve(22).get()).isEqualTo(44); // a miss: computed and stored
            assertThat(registry.get("joblib4j.cache.hits")
                            .tag("function", function)
                            .counter()
                            .count())
                    .isEqualTo(2);
            assertThat(registry.get("joblib4j.cache.misses")
                            .tag("function", function)
                            .counter()
                            .count())
                    .isEqualTo(3);
            long stored =
                    memory.entries().stream().mapToLong(CacheEntry::sizeBytes).sum();
            assertThat(stored).isPositive();
            assertThat(registry.get("joblib4j.cache.size.bytes").gauge().value())
                    .isEqualTo((double) stored);
        }
        // closed: later calls are not counted
        Parallel.of(2).map(JoblibMetricsTest::twice, List.of(1, 2, 3));
        assertThat(count(registry, "joblib4j.tasks.completed", "threads")).isEqualTo(20);
    }

    @Test
    void docExample() {
        // region micrometer
        MeterRegistry registry = new SimpleMeterRegistry(); // or your Prometheus, OTLP, ... registry
        try (JoblibMetrics _ = JoblibMetrics.bindTo(registry)) {
            Parallel.of(2).map(JoblibMetricsTest::twice, List.of(1, 2, 3));
            double completed = registry.get("joblib4j.tasks.completed")
                    .tag("backend", "threads")
                    .counter()
                    .count();
            System.out.println(completed); // 3.0
        }
        // endregion
        assertThat(registry.get("joblib4j.tasks.completed")
                        .tag("backend", "threads")
                        .counter()
                        .count())
                .isEqualTo(3);
    }

    private static double count(MeterRegistry registry, String name, String backend) {
        try {
            return registry.get(name).tag("backend", backend).counter().count();
        } catch (MeterNotFoundException e) {
            return 0;
        }
    }
}
