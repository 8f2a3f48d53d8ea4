package io.joblib4j.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BackendRegistryTest {

    @Test
    void builtInProvider_processBackend_isAvailableByName() {
        assertThat(Backend.names()).contains("processes");
        assertThat(Backend.named("processes").name()).isEqualTo("processes");
    }

    @Test
    void builtIns_haveExpectedShape() {
        assertThat(Backend.sequential().effectiveNJobs(8)).isEqualTo(1);
        assertThat(Backend.threads().effectiveNJobs(8)).isEqualTo(8);
        assertThat(Backend.threads().sharedMemory()).isTrue();
        assertThat(Backend.threads().nested().backend()).isEqualTo("sequential");
        assertThat(Backend.threads().displayName()).isEqualTo("ThreadingBackend");
    }

    @Test
    void register_blankName_orNullFactory_isAnError() {
        assertThatThrownBy(() -> Backend.register(" ", Backend::threads)).hasMessageContaining("blank");
        assertThatThrownBy(() -> Backend.register("x", null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void batch_runAll_stopsAtFirstFailure_andReportsValuesBefore() {
        io.joblib4j.Task<Integer> ok = () -> 1;
        io.joblib4j.Task<Integer> bad = () -> {
            throw new IllegalStateException("no");
        };
        Batch b = Batch.ofTasks(10, new io.joblib4j.Task<?>[] {ok, bad, ok}, BatchContext.none());
        BatchResult r = b.runAll("w");
        assertThat(r.succeeded()).isFalse();
        assertThat(r.values()).containsExactly(1);
        assertThat(r.failedIndex()).isEqualTo(11);
        assertThat(r.failure()).hasMessage("no");
        assertThat(b.slice(1, 3).firstIndex()).isEqualTo(11);
    }
}
