package io.joblib4j.parallel;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;
import org.jspecify.annotations.Nullable;

/**
 * The flight recorder events of {@code Parallel} calls, committed by the engine in the caller's JVM (a batch run in
 * a worker JVM or on a cluster member is recorded here, with the worker's name and its own timing of the tasks).
 * JFR's own checks make them free while no recording has them enabled, and none is made before the flight recorder
 * has started.
 */
final class JfrEvents {
    private JfrEvents() {}

    @Name("io.joblib4j.Call")
    @Label("Parallel Call")
    @Category({"joblib4j"})
    @Description("One call of Parallel (run, map, stream, streamUnordered or outcomes), from its start to its end")
    @StackTrace(false)
    static final class CallEvent extends Event {
        @Label("Call Id")
        long callId;

        @Label("Backend")
        @Nullable
        String backend;

        @Label("Workers")
        int nJobs;

        @Label("Tasks")
        @Description("Tasks that delivered a value (or, for outcomes, a failure)")
        long tasks;

        @Label("Outcome")
        @Description("ok, failed or cancelled")
        @Nullable
        String outcome;
    }

    @Name("io.joblib4j.Batch")
    @Label("Parallel Batch")
    @Category({"joblib4j"})
    @Description("One batch of a Parallel call, from its submission to the backend to its result being handled")
    @StackTrace(false)
    static final class BatchEvent extends Event {
        @Label("Call Id")
        long callId;

        @Label("Backend")
        @Nullable
        String backend;

        @Label("Worker")
        @Description("The thread, worker JVM (worker-PID) or cluster member that ran the batch")
        @Nullable
        String worker;

        @Label("First Index")
        long firstIndex;

        @Label("Tasks")
        int tasks;

        @Label("Task Time")
        @Description("How long the worker ran the batch's tasks")
        @Timespan(Timespan.NANOSECONDS)
        long taskTime;

        @Label("Outcome")
        @Description("ok, failed, timed_out, retried, lost or cancelled")
        @Nullable
        String outcome;

        @Label("Bytes Sent")
        @DataAmount
        long bytesSent;

        @Label("Bytes Received")
        @DataAmount
        long bytesReceived;
    }

    /**
     * Whether the flight recorder has started in this JVM (a recording was started, from the command line, with
     * {@code jcmd} or through the API). Until then no event object is made: the first one costs a cold JVM JFR's own
     * set-up of its event classes (about 0.2 s, on the first call), and no recording could take it anyway.
     */
    static boolean recorderStarted() {
        return FlightRecorder.isInitialized();
    }

    /** Whether a recording has the batch event on now (one allocation; none is committed). */
    static boolean batchEnabled() {
        return new BatchEvent().isEnabled();
    }
}
