package io.joblib4j.parallel;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.SerializableFunction1;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A repeated call of the same function on one instance starts at the batch size its previous call reached. */
class AutoBatchCarryOverTest {
    /** The size of the batch that starts at task 0, per call. */
    private final Map<Long, Integer> firstBatch = new ConcurrentHashMap<>();

    private int firstBatchOf(Runnable call) {
        firstBatch.clear();
        try (CallListener.Registration _ = CallListener.register(new CallListener() {
            @Override
            public void batchEnded(Call c, BatchRecord batch) {
                if (batch.firstIndex() == 0) {
                    firstBatch.put(c.id(), batch.tasks());
                }
            }
        })) {
            call.run();
        }
        assertThat(firstBatch).hasSize(1);
        return firstBatch.values().iterator().next();
    }

    @Test
    void sameFunctionAgain_startsAtTheLearntSize_otherFunctionsAndNewInstancesAtOne() {
        List<Integer> inputs = IntStream.range(0, 5_000).boxed().toList();
        SerializableFunction1<Integer, Integer> tiny = x -> x + 1;
        SerializableFunction1<Integer, Integer> other = x -> x - 1;
        try (Parallel p = Parallel.builder().backend("threads").nJobs(2).build()) {
            assertThat(firstBatchOf(() -> p.map(tiny, inputs))).isEqualTo(1);
            assertThat(firstBatchOf(() -> p.map(tiny, inputs)))
                    .as("the second call of the same function starts where the first one got")
                    .isGreaterThan(1);
            assertThat(firstBatchOf(() -> p.map(other, inputs)))
                    .as("another function starts from 1")
                    .isEqualTo(1);
        }
        try (Parallel fresh = Parallel.builder().backend("threads").nJobs(2).build()) {
            assertThat(firstBatchOf(() -> fresh.map(tiny, inputs))).isEqualTo(1);
        }
    }
}
