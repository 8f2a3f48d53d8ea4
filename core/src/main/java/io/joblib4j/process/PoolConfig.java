package io.joblib4j.process;

import io.joblib4j.internal.process.WorkerClassPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How a pool starts and recycles its worker JVMs.
 *
 * @param jvmOptions        extra options for each worker's {@code java} command, before the main class
 * @param environment       variables added to (or replacing) the parent's environment in each worker
 * @param idleTimeout       a worker idle this long exits
 * @param maxTasksPerWorker a worker is replaced after running this many tasks (0: never)
 * @param heapGrowthLimit   a worker whose heap use grew by more than this many bytes since its first batch is
 *                          replaced (0: never)
 * @param classPath         the workers' class path, or null to take it from {@value WorkerClassPath#PROPERTY}, from
 *                          {@value WorkerClassPath#ENV} or from this JVM ({@link WorkerClassPath})
 */
record PoolConfig(
        List<String> jvmOptions,
        Map<String, String> environment,
        Duration idleTimeout,
        int maxTasksPerWorker,
        long heapGrowthLimit,
        @Nullable String classPath) {
    static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    static final long DEFAULT_HEAP_GROWTH_LIMIT = 300L << 20;

    static PoolConfig defaults() {
        return new PoolConfig(List.of(), Map.of(), DEFAULT_IDLE_TIMEOUT, 0, DEFAULT_HEAP_GROWTH_LIMIT, null);
    }

    PoolConfig {
        jvmOptions = List.copyOf(jvmOptions);
        environment = Map.copyOf(environment);
    }
}
