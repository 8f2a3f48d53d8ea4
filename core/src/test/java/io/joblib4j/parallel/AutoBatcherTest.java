package io.joblib4j.parallel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AutoBatcherTest {
    private static final long MS = 1_000_000;

    @Test
    void auto_startsAtOne() {
        assertThat(new AutoBatcher(0).size()).isEqualTo(1);
    }

    @Test
    void auto_fastBatches_sizeAtMostDoubles() {
        AutoBatcher b = new AutoBatcher(0);
        assertThat(b.size()).isEqualTo(1);
        b.completed(1, 1 * MS); // 1 ms << 0.2 s: ideal = 2*int(1*0.2/0.001) = 400, capped at 2*1
        assertThat(b.size()).isEqualTo(2);
        b.completed(2, 2 * MS);
        assertThat(b.size()).isEqualTo(4);
    }

    @Test
    void auto_nearIdealDuration_growsOnlyToIdeal() {
        AutoBatcher b = new AutoBatcher(0);
        b.size();
        b.completed(1, 150 * MS); // ideal = 2*int(1*0.2/0.15) = 2 -> min(2, 2) = 2
        assertThat(b.size()).isEqualTo(2);
        b.completed(2, 190 * MS); // ideal = 2*int(2*0.2/0.19) = 4
        assertThat(b.size()).isEqualTo(4);
    }

    @Test
    void auto_slowBatches_shrink() {
        AutoBatcher b = new AutoBatcher(0);
        for (int i = 0; i < 4; i++) {
            b.completed(b.size(), 1 * MS); // grow to 16
        }
        int big = b.size();
        assertThat(big).isEqualTo(16);
        b.completed(big, 4_000 * MS); // 4 s > 2 s: new = max(2*int(16*0.2/4), 1) = 0 -> 1... = max(2*0,1)
        assertThat(b.size()).isEqualTo(1);
    }

    @Test
    void auto_betweenThresholds_keepsSize() {
        AutoBatcher b = new AutoBatcher(0);
        b.completed(1, 1 * MS);
        int two = b.size();
        b.completed(two, 1_000 * MS); // 1 s: inside [0.2, 2]
        assertThat(b.size()).isEqualTo(two);
    }

    @Test
    void auto_smoothing_isExponentialOverBatchesOfCurrentSize() {
        AutoBatcher b = new AutoBatcher(0);
        b.size();
        b.completed(1, 1_000 * MS);
        b.completed(1, 500 * MS);
        assertThat(b.smoothedSeconds()).isCloseTo(0.8 * 1.0 + 0.2 * 0.5, org.assertj.core.data.Offset.offset(1e-9));
        b.completed(7, 1 * MS); // a batch of another size does not count
        assertThat(b.smoothedSeconds()).isCloseTo(0.9, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void fixed_neverChanges() {
        AutoBatcher b = new AutoBatcher(16);
        b.completed(16, 1);
        assertThat(b.size()).isEqualTo(16);
    }

    @Test
    void tailSize_noMeasurement_isJoblibsTenthPerWorker() {
        AutoBatcher b = new AutoBatcher(0, 0.01);
        assertThat(b.tailSize(10_000, 2)).isEqualTo(500);
        assertThat(b.tailSize(7, 2)).isEqualTo(1);
    }

    @Test
    void tailSize_tinyTasks_noBatchShorterThanATenthOfTheMinimum() {
        AutoBatcher b = new AutoBatcher(0, 0.01);
        b.completed(1_000, 10_000); // 10 ns per task: 1 ms (a tenth of 10 ms) is 100,000 tasks
        assertThat(b.tailSize(10_000, 2)).as("an even share per worker at most").isEqualTo(5_000);
        assertThat(b.tailSize(1_000_000, 2)).isEqualTo(100_000);
        assertThat(b.tailSize(100_000_000, 2)).as("joblib's size when larger").isEqualTo(5_000_000);
    }

    @Test
    void tailSize_slowTasks_keepJoblibsSize() {
        AutoBatcher b = new AutoBatcher(0, 0.01);
        b.completed(1, 50 * MS);
        assertThat(b.tailSize(400, 2)).isEqualTo(20);
    }
}
