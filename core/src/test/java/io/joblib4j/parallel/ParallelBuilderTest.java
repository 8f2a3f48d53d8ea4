package io.joblib4j.parallel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.joblib4j.Joblib;
import io.joblib4j.backend.Backend;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ParallelBuilderTest {

    @Test
    void nJobsZero_isAnErrorNamingTheValue() {
        assertThatThrownBy(() -> Parallel.of(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nJobs == 0");
        assertThatThrownBy(() -> Joblib.effectiveNJobs(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nJobs_negativeCountsFromCpuCount() {
        int cpus = Joblib.cpuCount();
        assertThat(Joblib.effectiveNJobs(-1)).isEqualTo(cpus);
        assertThat(Joblib.effectiveNJobs(-2)).isEqualTo(Math.max(cpus - 1, 1));
        assertThat(Joblib.effectiveNJobs(-1000)).isEqualTo(1);
        assertThat(Joblib.effectiveNJobs(5)).isEqualTo(5);
    }

    @Test
    void nJobs_unset_takesConfigElseOne() {
        assertThat(Parallel.builder().build().resolve().workers()).isEqualTo(1);
        assertThat(Joblib.effectiveNJobs()).isEqualTo(1);
        try (var _ = ParallelConfig.builder().nJobs(3).open()) {
            assertThat(Parallel.builder().build().resolve().workers()).isEqualTo(3);
            assertThat(Joblib.effectiveNJobs()).isEqualTo(3);
            assertThat(Parallel.of(2).resolve().workers()).isEqualTo(2);
        }
    }

    @Test
    void resolvedOne_runsSequentiallyInCaller() {
        Parallel.Resolved r = Parallel.of(1).resolve();
        assertThat(r.sequential()).isTrue();
        assertThat(r.backend().name()).isEqualTo("sequential");
        String caller = Thread.currentThread().getName();
        assertThat(Parallel.of(1).map(i -> Thread.currentThread().getName(), java.util.List.of(1, 2)))
                .containsOnly(caller);
    }

    @Test
    void batchSize_invalid_isAnError() {
        assertThatThrownBy(() -> BatchSize.of(0)).hasMessageContaining("got 0");
        assertThatThrownBy(() -> BatchSize.of(-1)).hasMessageContaining("got -1");
        assertThatThrownBy(() -> Parallel.builder().batchSize(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unknownBackend_listsTheValidNames() {
        assertThatThrownBy(() -> Parallel.builder().backend("lokky"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'lokky'")
                .hasMessageContaining("threads")
                .hasMessageContaining("sequential")
                .hasMessageContaining("virtual");
    }

    @Test
    void preferProcessesWithRequireSharedmem_isAnError() {
        assertThatThrownBy(() -> Parallel.builder()
                        .prefer(Prefer.PROCESSES)
                        .require(Require.SHAREDMEM)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SHAREDMEM");
    }

    @Test
    void invalidPreDispatch_timeout_verbose_retries_areErrors() {
        assertThatThrownBy(() -> Parallel.builder().preDispatch("n_jobs * x")).hasMessageContaining("'n_jobs * x'");
        assertThatThrownBy(() -> Parallel.builder().preDispatch(0)).hasMessageContaining("got 0");
        assertThatThrownBy(() -> Parallel.builder().timeout(Duration.ZERO)).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> Parallel.builder().verbose(-1)).hasMessageContaining("got -1");
        assertThatThrownBy(() -> Parallel.builder().retries(-2)).hasMessageContaining("got -2");
        assertThatThrownBy(() -> Parallel.builder().maxNbytes("12Q")).hasMessageContaining("12Q");
    }

    @Test
    void nullArguments_areRejectedWithNames() {
        assertThatThrownBy(() -> Joblib.delayed((io.joblib4j.SerializableFunction<Integer, Integer>) null, 1))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("function");
        assertThatThrownBy(() -> Parallel.of(2).map(null, java.util.List.of(1)))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("function");
        assertThatThrownBy(() -> Parallel.of(2).run((Iterable<io.joblib4j.Task<Object>>) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("tasks");
    }

    @Test
    void maxNbytes_parsesJoblibSizes_andNullNeverShares() {
        assertThat(Parallel.builder()
                        .nJobs(2)
                        .maxNbytes("1M")
                        .build()
                        .resolve()
                        .spec()
                        .option(ArraySharing.class)
                        .orElseThrow()
                        .maxNbytes())
                .hasValue(1 << 20);
        assertThat(Parallel.builder()
                        .nJobs(2)
                        .maxNbytes("512K")
                        .build()
                        .resolve()
                        .spec()
                        .option(ArraySharing.class)
                        .orElseThrow()
                        .maxNbytes())
                .hasValue(512 << 10);
        assertThat(Parallel.builder()
                        .nJobs(2)
                        .maxNbytes("2G")
                        .build()
                        .resolve()
                        .spec()
                        .option(ArraySharing.class)
                        .orElseThrow()
                        .maxNbytes())
                .hasValue(2L << 30);
        assertThat(Parallel.builder()
                        .nJobs(2)
                        .maxNbytes("100")
                        .build()
                        .resolve()
                        .spec()
                        .option(ArraySharing.class)
                        .orElseThrow()
                        .maxNbytes())
                .hasValue(100);
        assertThat(Parallel.builder()
                        .nJobs(2)
                        .maxNbytes(null)
                        .build()
                        .resolve()
                        .spec()
                        .option(ArraySharing.class)
                        .orElseThrow()
                        .maxNbytes())
                .isEmpty();
        assertThat(Parallel.builder()
                        .nJobs(2)
                        .build()
                        .resolve()
                        .spec()
                        .option(ArraySharing.class)
                        .orElseThrow()
                        .maxNbytes())
                .hasValue(Parallel.Builder.DEFAULT_MAX_NBYTES);
    }

    @Test
    void register_addsBackendByName_andProviderNamesAreListed() {
        Backend.register("my-threads", Backend::threads);
        assertThat(Backend.names()).contains("my-threads", "threads", "virtual", "sequential");
        assertThat(Parallel.builder().backend("my-threads").nJobs(2).build().map(i -> i * 2, java.util.List.of(1, 2)))
                .containsExactly(2, 4);
        assertThatThrownBy(() -> Backend.register("threads", Backend::sequential))
                .hasMessageContaining("built-in");
    }

    @Test
    void requireSharedmem_withNonSharedBackend_isAnError() {
        Backend notShared = new Backend() {
            @Override
            public String name() {
                return "remote";
            }

            @Override
            public boolean sharedMemory() {
                return false;
            }

            @Override
            public Nested nested() {
                return new Nested("threads", 1);
            }

            @Override
            public io.joblib4j.backend.Workers open(io.joblib4j.backend.WorkerSpec spec) {
                return Backend.threads().open(spec);
            }
        };
        assertThatThrownBy(() -> Parallel.builder()
                        .backend(notShared)
                        .require(Require.SHAREDMEM)
                        .build())
                .hasMessageContaining("'remote'")
                .hasMessageContaining("SHAREDMEM");
        // From a config scope, the constraint falls back to threads instead.
        try (var _ = ParallelConfig.builder().backend(notShared).open()) {
            assertThat(Parallel.builder()
                            .require(Require.SHAREDMEM)
                            .nJobs(2)
                            .build()
                            .resolve()
                            .backend()
                            .name())
                    .isEqualTo("threads");
        }
    }

    @Test
    void backendWithoutWorkers_failsAtOnceNamingIt() {
        Backend empty = new Backend() {
            @Override
            public String name() {
                return "empty";
            }

            @Override
            public boolean sharedMemory() {
                return false;
            }

            @Override
            public Nested nested() {
                return new Nested("sequential", 1);
            }

            @Override
            public io.joblib4j.backend.Workers open(io.joblib4j.backend.WorkerSpec spec) {
                return new io.joblib4j.backend.Workers() {
                    @Override
                    public int size() {
                        return 0;
                    }

                    @Override
                    public void submit(io.joblib4j.backend.Batch batch, io.joblib4j.backend.BatchListener listener) {
                        // no worker: nothing ever runs
                    }

                    @Override
                    public void abort() {}

                    @Override
                    public void close() {}
                };
            }
        };
        try (Parallel p = Parallel.builder().backend(empty).nJobs(2).build()) {
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                assertThatThrownBy(() -> p.map(i -> i, java.util.List.of(1, 2)))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("backend 'empty' has no active worker");
                // The failed call does not leave the instance busy.
                assertThatThrownBy(() -> p.map(i -> i, java.util.List.of(1)))
                        .hasMessageContaining("has no active worker");
            });
        }
    }

    @Test
    void progressBar_whenStderrIsNotATerminal_printsNothing() {
        assertThat(TerminalProgress.stderrIsTerminal())
                .as("the test JVM's stderr is a pipe or a file")
                .isFalse();
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        try (Parallel p = Parallel.builder().nJobs(2).progressBar(true).build()) {
            assertThat(p.map(x -> x * 2, java.util.List.of(1, 2, 3))).containsExactly(2, 4, 6);
        } finally {
            System.setErr(saved);
        }
        assertThat(err.size()).isZero();
    }

    @Test
    void verbose_unknownTotal_countsTasksUntilTheInputEnds() {
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        try (Parallel p = Parallel.builder()
                .nJobs(2)
                .verbose(11)
                .batchSize(1)
                .preDispatch(2)
                .build()) {
            // A stream of unknown size, read lazily: early messages cannot know the total.
            java.util.stream.Stream<Integer> lazy = java.util.stream.Stream.iterate(0, i -> i < 40, i -> i + 1);
            assertThat(p.map(x -> x, lazy)).hasSize(40);
        } finally {
            System.setErr(saved);
        }
        String out = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(out)
                .containsPattern("\\[Parallel\\(n_jobs=2\\)\\]: Done +\\d+ tasks      \\| elapsed: +\\d+\\.\\ds\\n");
        assertThat(out).contains("Done  40 out of  40 | elapsed:").endsWith("finished\n");
    }
}
