package com.example.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.backend.Backend;
import io.joblib4j.parallel.BackendContractTest;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The backend of docs/architecture.md's example, written outside joblib4j's packages, meets the whole contract. */
class PoolBackendContractTest extends BackendContractTest {
    @BeforeAll
    static void register() {
        Backend.register("pool", PoolBackend::new);
    }

    @Override
    protected String backendName() {
        return "pool";
    }

    @Test
    void example_runsAParallelCall() {
        // region spi-example-use
        Backend.register("pool", PoolBackend::new);
        try (var p =
                io.joblib4j.parallel.Parallel.builder().backend("pool").nJobs(2).build()) {
            List<Integer> squares = p.map(x -> x * x, List.of(1, 2, 3));
            // [1, 4, 9]
            assertThat(squares).containsExactly(1, 4, 9);
        }
        // endregion
    }
}
