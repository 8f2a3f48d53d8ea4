package io.joblib4j.parallel;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.backend.Backend;
import io.joblib4j.backend.Batch;
import io.joblib4j.backend.BatchListener;
import io.joblib4j.backend.WorkerSpec;
import io.joblib4j.backend.Workers;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A small input of known size on a backend whose workers are elsewhere is cut into one batch per worker with automatic
 * batching; explicit batch sizes, larger inputs, a smaller explicit preDispatch and in-process backends keep one task
 * per batch.
 */
class SmallInputBatchingTest {

    /** A backend that runs batches in the submitting thread and records their sizes. */
    private static final class Recording implements Backend {
        final List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
        private final boolean sharedMemory;

        Recording(boolean sharedMemory) {
            this.sharedMemory = sharedMemory;
        }

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public boolean sharedMemory() {
            return sharedMemory;
        }

        @Override
        public Nested nested() {
            return new Nested("sequential", 1);
        }

        @Override
        public Workers open(WorkerSpec spec) {
            return new Workers() {
                @Override
                public int size() {
                    return spec.nJobs();
                }

                @Override
                public void submit(Batch batch, BatchListener listener) {
                    sizes.add(batch.size());
                    listener.done(batch.runAll("recording-worker"));
                }

                @Override
                public void abort() {}

                @Override
                public void close() {}
            };
        }
    }

    private static List<Integer> sizes(boolean sharedMemory, int n, UnaryOperator<Parallel.Builder> settings) {
        Recording backend = new Recording(sharedMemory);
        List<Integer> input = IntStream.range(0, n).boxed().toList();
        try (Parallel p =
                settings.apply(Parallel.builder().nJobs(2).backend(backend)).build()) {
            assertThat(p.map(x -> x * 10, input))
                    .containsExactlyElementsOf(input.stream().map(x -> x * 10).toList());
        }
        return backend.sizes;
    }

    @Test
    void map_smallInputOnRemoteWorkers_oneBatchPerWorker() {
        assertThat(sizes(false, 4, b -> b)).containsExactly(2, 2);
        assertThat(sizes(false, 3, b -> b)).containsExactly(2, 1);
    }

    @Test
    void map_explicitSettingsLargerInputsOrThreads_keepOneTaskPerBatch() {
        assertThat(sizes(false, 4, b -> b.batchSize(1))).containsExactly(1, 1, 1, 1);
        assertThat(sizes(false, 4, b -> b.preDispatch(2))).containsOnly(1).hasSize(4);
        assertThat(sizes(false, 5, b -> b)).containsOnly(1).hasSize(5);
        assertThat(sizes(true, 4, b -> b)).containsExactly(1, 1, 1, 1);
    }
}
