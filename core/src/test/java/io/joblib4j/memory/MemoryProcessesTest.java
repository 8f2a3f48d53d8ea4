package io.joblib4j.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.joblib4j.parallel.Parallel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cached function used inside worker JVMs of the processes backend shares the cache with the parent. */
class MemoryProcessesTest {
    @TempDir
    Path dir;

    static long pidTimesTen(int x) {
        return ProcessHandle.current().pid() * 10 + x;
    }

    @Test
    void cachedFunction_inWorkerJvms_storesForTheParent() {
        Memory memory = Memory.builder().location(dir).verbose(0).build();
        CachedFunction<Integer, Long> f = memory.cache(MemoryProcessesTest::pidTimesTen);
        Parallel parallel;
        try {
            parallel = Parallel.builder().nJobs(2).backend("processes").build();
        } catch (IllegalArgumentException e) {
            assumeTrue(false, "no \"processes\" backend in this build: " + e.getMessage());
            return;
        }
        List<Long> fromWorkers;
        try (Parallel p = parallel) {
            fromWorkers = p.map(f, List.of(1, 2, 3, 4));
        }
        long self = ProcessHandle.current().pid();
        assertThat(fromWorkers).allMatch(v -> v / 10 != self);
        for (int i = 0; i < 4; i++) {
            assertThat(f.isCached(i + 1)).isTrue();
            assertThat(f.apply(i + 1)).isEqualTo(fromWorkers.get(i));
        }
    }
}
