package io.joblib4j.backend;

import io.joblib4j.SerializableRunnable;
import io.joblib4j.persist.MmapMode;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What {@code Parallel} asks of a backend's workers.
 *
 * @param nJobs       the number of workers, at least 1
 * @param timeout     the longest a single task may run, from its start, or null for no limit; a backend reports a
 *                    task that runs longer as failed with {@link io.joblib4j.parallel.TaskTimeoutException} and
 *                    stops it as well as it can (interrupting a thread, killing a process)
 * @param initializer run once in each worker before its first task, or null
 * @param tempFolder  process backends: where large arrays are shared, or null for the default
 * @param maxNbytes   process backends: arrays larger than this many bytes are shared through files, or null to
 *                    never share
 * @param mmapMode    process backends: how workers map shared arrays
 * @param verbose     joblib's verbosity level, for backends with messages of their own
 */
public record WorkerSpec(
        int nJobs,
        Duration timeout,
        SerializableRunnable initializer,
        Path tempFolder,
        Long maxNbytes,
        MmapMode mmapMode,
        int verbose) {
    public WorkerSpec {
        if (nJobs < 1) {
            throw new IllegalArgumentException("nJobs must be at least 1 for a backend, got " + nJobs);
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
    }

    /** A spec with only a worker count. */
    public static WorkerSpec of(int nJobs) {
        return new WorkerSpec(nJobs, null, null, null, 1L << 20, MmapMode.READ_ONLY, 0);
    }
}
