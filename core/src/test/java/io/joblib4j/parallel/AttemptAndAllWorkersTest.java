package io.joblib4j.parallel;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.Joblib;
import io.joblib4j.backend.Backend;
import io.joblib4j.backend.Batch;
import io.joblib4j.backend.BatchListener;
import io.joblib4j.backend.BatchResult;
import io.joblib4j.backend.Failures;
import io.joblib4j.backend.WorkerSpec;
import io.joblib4j.backend.Workers;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Two small SPI points for backends that run tasks on machines that may go away: the attempt number a task can read
 * with {@link Joblib#currentAttempt()}, and {@link Backend#allWorkers()}, what {@code nJobs(-1)} counts from.
 */
class AttemptAndAllWorkersTest {

    /** Loses the first run of every batch (reported as a lost worker), runs re-runs in the submitting thread. */
    static final class LosesFirstRuns implements Backend {
        final AtomicInteger lastNJobs = new AtomicInteger();
        final OptionalInt all;

        LosesFirstRuns(OptionalInt all) {
            this.all = all;
        }

        @Override
        public String name() {
            return "loses-first-runs";
        }

        @Override
        public boolean sharedMemory() {
            return false;
        }

        @Override
        public OptionalInt allWorkers() {
            return all;
        }

        @Override
        public Nested nested() {
            return new Nested("sequential", 1);
        }

        @Override
        public Workers open(WorkerSpec spec) {
            lastNJobs.set(spec.nJobs());
            return new Workers() {
                @Override
                public int size() {
                    return 1;
                }

                @Override
                public void submit(Batch batch, BatchListener listener) {
                    if (batch.attempt() == 1) {
                        listener.done(
                                BatchResult.failure(batch, List.of(), new Failures.WorkerLost("member left"), "w", 0));
                    } else {
                        listener.done(batch.runAll("w"));
                    }
                }

                @Override
                public void abort() {}

                @Override
                public void close() {}
            };
        }
    }

    static int attemptOf(int ignored) {
        return Joblib.currentAttempt();
    }

    @Test
    void currentAttempt_outsideATask_isOne() {
        assertThat(Joblib.currentAttempt()).isEqualTo(1);
    }

    @Test
    void currentAttempt_afterALostWorker_countsTheReRun() {
        try (Parallel p = Parallel.builder()
                .backend(new LosesFirstRuns(OptionalInt.empty()))
                .nJobs(2)
                .retries(1)
                .build()) {
            List<Integer> attempts = p.map(
                    AttemptAndAllWorkersTest::attemptOf, IntStream.range(0, 20).boxed());
            assertThat(attempts).hasSize(20).containsOnly(2);
        }
        assertThat(Joblib.currentAttempt()).isEqualTo(1);
    }

    @Test
    void attempt_ofABatchOfManyTasks_reachesEachOfThem() {
        Backend recorder = new LosesFirstRuns(OptionalInt.empty());
        try (Parallel p = Parallel.builder()
                .backend(recorder)
                .nJobs(1)
                .batchSize(BatchSize.of(4))
                .retries(2)
                .build()) {
            assertThat(p.map(AttemptAndAllWorkersTest::attemptOf, List.of(1, 2, 3, 4, 5, 6, 7, 8)))
                    .containsOnly(2);
        }
    }

    @Test
    void nJobsMinusOne_countsFromTheBackendsAllWorkers() {
        LosesFirstRuns backend = new LosesFirstRuns(OptionalInt.of(7));
        try (Parallel p =
                Parallel.builder().backend(backend).nJobs(-1).retries(1).build()) {
            p.map(AttemptAndAllWorkersTest::attemptOf, List.of(1));
        }
        assertThat(backend.lastNJobs).hasValue(7);
        try (Parallel p =
                Parallel.builder().backend(backend).nJobs(-2).retries(1).build()) {
            p.map(AttemptAndAllWorkersTest::attemptOf, List.of(1));
        }
        assertThat(backend.lastNJobs).hasValue(6);
    }
}
