package io.joblib4j.parallel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ParallelConfigTest {

    @Test
    void scopes_nest_innerWins_andCloseRestores() {
        assertThat(ParallelConfig.currentNJobs()).isNull();
        try (var _ = ParallelConfig.builder().backend("virtual").nJobs(4).open()) {
            assertThat(ParallelConfig.currentBackend()).isEqualTo("virtual");
            try (var _ = ParallelConfig.builder().nJobs(2).open()) {
                assertThat(ParallelConfig.currentNJobs()).isEqualTo(2);
                assertThat(ParallelConfig.currentBackend()).isEqualTo("virtual"); // merged from outer
                Parallel.Resolved r = Parallel.builder().build().resolve();
                assertThat(r.backend().name()).isEqualTo("virtual");
                assertThat(r.workers()).isEqualTo(2);
            }
            assertThat(ParallelConfig.currentNJobs()).isEqualTo(4);
        }
        assertThat(ParallelConfig.currentNJobs()).isNull();
        assertThat(ParallelConfig.currentBackend()).isNull();
    }

    @Test
    void explicitBuilderValues_winOverConfig() {
        try (var _ =
                ParallelConfig.builder().backend("virtual").nJobs(4).verbose(10).open()) {
            Parallel.Resolved r =
                    Parallel.builder().backend("threads").nJobs(2).build().resolve();
            assertThat(r.backend().name()).isEqualTo("threads");
            assertThat(r.workers()).isEqualTo(2);
        }
    }

    @Test
    void scope_isPerThread() throws Exception {
        try (var _ = ParallelConfig.builder().nJobs(7).open()) {
            Integer other =
                    CompletableFuture.supplyAsync(ParallelConfig::currentNJobs).get();
            assertThat(other).isNull();
        }
    }

    @Test
    void closingOuterBeforeInner_isAnError() {
        var outer = ParallelConfig.builder().nJobs(3).open();
        var inner = ParallelConfig.builder().nJobs(2).open();
        assertThatThrownBy(outer::close)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reverse order");
        inner.close();
        outer.close();
        assertThat(ParallelConfig.currentNJobs()).isNull();
    }

    @Test
    void tasks_inheritCallersConfig_withNestedBackend() {
        try (var _ = ParallelConfig.builder().nJobs(2).open();
                Parallel p = Parallel.builder().backend("threads").build()) {
            var seen = p.map(
                    i -> ParallelConfig.currentBackend() + "/" + ParallelConfig.currentNJobs(),
                    java.util.List.of(1, 2));
            assertThat(seen).containsOnly("sequential/1");
        }
    }

    @Test
    void sequentialCall_passesTheActiveConfigToItsTasks() {
        try (var _ = ParallelConfig.builder().backend("threads").nJobs(2).open();
                Parallel one = Parallel.of(1)) {
            // As joblib's n_jobs=1: tasks run in the caller's context, so calls nested in them see the scope.
            var seen = one.map(
                    i -> ParallelConfig.currentBackend() + "/" + io.joblib4j.Joblib.effectiveNJobs() + "/"
                            + Parallel.builder().build().resolve().workers(),
                    java.util.List.of(1, 2));
            assertThat(seen).containsOnly("threads/2/2");
        }
    }

    @Test
    void invalidValues_areErrors() {
        assertThatThrownBy(() -> ParallelConfig.builder().nJobs(0)).hasMessageContaining("nJobs == 0");
        assertThatThrownBy(() -> ParallelConfig.builder().backend("nope")).hasMessageContaining("'nope'");
        assertThatThrownBy(() -> ParallelConfig.builder()
                        .prefer(Prefer.PROCESSES)
                        .require(Require.SHAREDMEM)
                        .build())
                .isInstanceOf(IllegalArgumentException.class);
    }
}
