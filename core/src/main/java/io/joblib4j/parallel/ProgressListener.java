package io.joblib4j.parallel;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Told of a {@link Parallel} call's progress after each batch of tasks completes, in the thread that runs the call
 * (or consumes its stream). Must be quick; an exception it throws aborts the call.
 */
@FunctionalInterface
public interface ProgressListener {

    void onProgress(Progress progress);

    /**
     * A snapshot of a call's progress.
     *
     * @param completed the number of tasks done (succeeded or failed)
     * @param total     the number of tasks, once the whole input has been read
     * @param elapsed   the time since the call started
     * @param remaining an estimate of the time left, once the total is known and a task has completed
     */
    record Progress(long completed, OptionalLong total, Duration elapsed, Optional<Duration> remaining) {}
}
