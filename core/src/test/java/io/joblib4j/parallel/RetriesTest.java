package io.joblib4j.parallel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.joblib4j.backend.Backend;
import io.joblib4j.backend.Batch;
import io.joblib4j.backend.BatchListener;
import io.joblib4j.backend.BatchResult;
import io.joblib4j.backend.Failures;
import io.joblib4j.backend.WorkerSpec;
import io.joblib4j.backend.Workers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code retries(n)} bounds the runs of a task that kills its worker to 1 + n, also when the crash is blamed on an
 * earlier task of its batch (a worker sends the values of very short tasks in groups, so the values before the
 * crash may not have reached the parent). The worker JVM case is in {@code ProcessParallelTest}; here a backend
 * that loses the values of the first batch whose worker "dies" makes the wrong blame certain.
 */
class RetriesTest {

    /** Thrown by a task to stand for its worker's death. */
    static final class Dies extends RuntimeException {
        Dies() {
            super("the worker died");
        }
    }

    /**
     * Runs each batch in the submitting thread; a task that throws {@link Dies} loses its worker, and the first time
     * the values of the batch's earlier tasks are lost too, so that death is blamed on the batch's first task.
     */
    static final class LosesValuesOnDeath implements Backend {
        private boolean lostValuesOnce;

        @Override
        public String name() {
            return "loses-values";
        }

        @Override
        public boolean sharedMemory() {
            return false; // not run as the caller's sequential backend
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
                    return 1;
                }

                @Override
                public void submit(Batch batch, BatchListener listener) {
                    BatchResult r = batch.runAll("worker-1");
                    if (r.failure() instanceof Dies) {
                        List<Object> arrived = lostValuesOnce ? r.values() : List.of();
                        lostValuesOnce = true;
                        listener.done(BatchResult.failure(
                                batch, arrived, new Failures.WorkerLost("EXIT(1)"), "worker-1", r.nanos()));
                    } else {
                        listener.done(r);
                    }
                }

                @Override
                public void abort() {}

                @Override
                public void close() {}
            };
        }
    }

    static final AtomicInteger RUNS_OF_TASK_1 = new AtomicInteger();

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void crashBlamedOnAnEarlierTask_stillRunsTheKillerAtMostOncePlusRetries(int retries) {
        RUNS_OF_TASK_1.set(0);
        List<Integer> ranZero = new ArrayList<>();
        Throwable t;
        try (Parallel p = Parallel.builder()
                .backend(new LosesValuesOnDeath())
                .nJobs(1)
                .batchSize(2)
                .retries(retries)
                .build()) {
            t = catchThrowable(() -> p.map(
                    i -> {
                        if (i == 0) {
                            ranZero.add(i);
                        } else if (i == 1) {
                            RUNS_OF_TASK_1.incrementAndGet();
                            throw new Dies();
                        }
                        return i;
                    },
                    List.of(0, 1, 2, 3)));
        }
        assertThat(t).isInstanceOf(WorkerCrashedException.class).hasMessageContaining("EXIT(1)");
        assertThat(RUNS_OF_TASK_1.get())
                .as("runs of task 1 with retries(%d)", retries)
                .isEqualTo(1 + retries);
        assertThat(ranZero)
                .as("task 0, blamed for the first death, runs again once")
                .hasSize(Math.min(2, 1 + retries));
    }
}
