package io.joblib4j.parallel;

import io.joblib4j.backend.Batch;
import io.joblib4j.backend.BatchResult;
import io.joblib4j.backend.Failures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The engine's record of one call, kept only when something asks for it: a {@linkplain Parallel.Builder#timeline
 * timeline} report, a JFR recording with joblib4j's events on, or a registered {@link CallListener}. Without any of
 * them {@link #open} returns null and the call records nothing.
 *
 * <p>{@link #arrived} is called by backends' threads; everything else in the thread that drives the call.
 */
final class CallRecorder implements CallListener.Call {
    static final CopyOnWriteArrayList<CallListener> LISTENERS = new CopyOnWriteArrayList<>();
    private static final AtomicLong IDS = new AtomicLong();
    private static final CallListener[] NO_LISTENERS = {};
    /** How many task descriptions a timeline keeps per batch (for the hover text). */
    private static final int DESCRIPTIONS_PER_BATCH = 3;

    private final long id = IDS.incrementAndGet();
    private final String backend;
    private final String displayName;
    private final int nJobs;
    private final @Nullable Path timeline;
    private final CallListener[] listeners;
    private final JfrEvents.@Nullable CallEvent callEvent;
    private final boolean batchEvents;
    final long startNanos = System.nanoTime();
    final long startEpochMillis = System.currentTimeMillis();

    /** When each batch's result reached this JVM: written by backends, read by the driving thread. */
    private final Map<Batch, Long> arrivals = new ConcurrentHashMap<>();

    private final IdentityHashMap<Batch, Submitted> inFlight = new IdentityHashMap<>();
    /** The batches ended so far (kept for a timeline only). */
    final @Nullable List<Rec> batches;
    /** Start and end of each submit, in pairs (kept for a timeline only). */
    long[] dispatches = new long[0];

    int dispatchCount;
    long dispatchNanos;
    long tasksCompleted;
    long endNanos;
    CallListener.@Nullable CallOutcome outcome;

    @Nullable
    String failureText;

    private record Submitted(long start, long end, JfrEvents.@Nullable BatchEvent event) {}

    private CallRecorder(
            Parallel.Resolved settings,
            CallListener[] listeners,
            JfrEvents.@Nullable CallEvent callEvent,
            boolean batchEvents) {
        this.backend = settings.backend().name();
        this.displayName = settings.backend().displayName();
        this.nJobs = settings.workers();
        this.timeline = settings.timeline();
        this.listeners = listeners;
        this.callEvent = callEvent;
        this.batchEvents = batchEvents;
        this.batches = timeline != null ? new ArrayList<>() : null;
        if (timeline != null) {
            dispatches = new long[64];
        }
        if (callEvent != null) {
            callEvent.begin();
        }
        for (CallListener l : listeners) {
            try {
                l.callStarted(this);
            } catch (RuntimeException e) {
                listenerFailed(l, e);
            }
        }
    }

    /** The recorder of a call starting now, or null when nothing asks for one. */
    static @Nullable CallRecorder open(Parallel.Resolved settings) {
        boolean recorder = JfrEvents.recorderStarted();
        JfrEvents.@Nullable CallEvent callEvent = recorder ? new JfrEvents.CallEvent() : null;
        boolean callEvents = callEvent != null && callEvent.isEnabled();
        boolean batchEvents = recorder && JfrEvents.batchEnabled();
        CallListener[] listeners = LISTENERS.isEmpty() ? NO_LISTENERS : LISTENERS.toArray(NO_LISTENERS);
        if (settings.timeline() == null && listeners.length == 0 && !callEvents && !batchEvents) {
            return null;
        }
        return new CallRecorder(settings, listeners, callEvents ? callEvent : null, batchEvents);
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public String backend() {
        return backend;
    }

    String displayName() {
        return displayName;
    }

    @Override
    public int nJobs() {
        return nJobs;
    }

    @Override
    public long tasksCompleted() {
        return tasksCompleted;
    }

    // ---- events ----------------------------------------------------------------------------------------------

    /** {@code batch} was handed to the backend: {@code start} before the submit, now after it. */
    void submitted(Batch batch, long start) {
        long end = System.nanoTime();
        dispatchNanos += end - start;
        if (batches != null) {
            if (2 * dispatchCount + 2 > dispatches.length) {
                dispatches = Arrays.copyOf(dispatches, dispatches.length * 2);
            }
            dispatches[2 * dispatchCount] = start;
            dispatches[2 * dispatchCount + 1] = end;
        }
        dispatchCount++;
        JfrEvents.BatchEvent event = null;
        if (batchEvents) {
            event = new JfrEvents.BatchEvent();
            event.begin();
        }
        // A backend that runs the batch inside submit (sequential) has reported it already: keep the submit's start.
        inFlight.put(batch, new Submitted(start, end, event));
    }

    /** A backend reports a batch's result (any thread). */
    void arrived(Batch batch) {
        arrivals.put(batch, System.nanoTime());
    }

    /** What a result says about its batch, before the engine decides on a retry. */
    static CallListener.BatchOutcome outcomeOf(BatchResult result, boolean callEnding) {
        if (result.succeeded()) {
            return CallListener.BatchOutcome.OK;
        }
        Throwable f = result.failure();
        if (f instanceof Failures.Timeout) {
            return CallListener.BatchOutcome.TIMED_OUT;
        }
        if (f instanceof Failures.WorkerLost) {
            return callEnding ? CallListener.BatchOutcome.CANCELLED : CallListener.BatchOutcome.LOST;
        }
        if (f instanceof InterruptedException && callEnding) {
            return CallListener.BatchOutcome.CANCELLED;
        }
        return CallListener.BatchOutcome.FAILED;
    }

    /** The engine has handled a batch's result. */
    void ended(BatchResult result, CallListener.BatchOutcome outcome) {
        Batch batch = result.batch();
        Submitted s = inFlight.remove(batch);
        if (s == null) {
            return;
        }
        Long arrival = arrivals.remove(batch);
        long end = arrival != null ? arrival : System.nanoTime();
        if (end <= s.end) {
            // Run inside submit (a sequential backend): that was the task's time, not dispatch.
            dispatchNanos -= Math.min(result.nanos(), s.end - s.start);
        }
        record(
                batch,
                s,
                result.worker(),
                result.values().size(),
                result.nanos(),
                end,
                result.bytesSent(),
                result.bytesReceived(),
                outcome,
                result.succeeded() ? null : String.valueOf(result.failure()));
    }

    private void record(
            Batch batch,
            Submitted s,
            @Nullable String worker,
            int completed,
            long nanos,
            long end,
            long bytesSent,
            long bytesReceived,
            CallListener.BatchOutcome outcome,
            @Nullable String failure) {
        Rec rec = new Rec(
                worker,
                batch.firstIndex(),
                batch.size(),
                completed,
                nanos,
                s.start,
                end,
                bytesSent,
                bytesReceived,
                outcome,
                failure,
                batches != null ? descriptions(batch) : null);
        if (batches != null) {
            batches.add(rec);
        }
        if (s.event != null) {
            JfrEvents.BatchEvent e = s.event;
            e.end();
            if (e.shouldCommit()) {
                e.callId = id;
                e.backend = backend;
                e.worker = worker;
                e.firstIndex = batch.firstIndex();
                e.tasks = batch.size();
                e.taskTime = nanos;
                e.outcome = outcome.name().toLowerCase(Locale.ROOT);
                e.bytesSent = bytesSent;
                e.bytesReceived = bytesReceived;
                e.commit();
            }
        }
        for (CallListener l : listeners) {
            try {
                l.batchEnded(this, rec);
            } catch (RuntimeException e) {
                listenerFailed(l, e);
            }
        }
    }

    private static String[] descriptions(Batch batch) {
        int n = Math.min(DESCRIPTIONS_PER_BATCH, batch.size());
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            String d;
            try {
                d = batch.task(i).describe();
            } catch (RuntimeException e) {
                d = "task " + (batch.firstIndex() + i);
            }
            out[i] = d.length() > 160 ? d.substring(0, 157) + "..." : d;
        }
        return out;
    }

    /**
     * The call has ended: batches still in flight are recorded as cancelled (with what their results say, if they
     * arrived in {@code late}), the timeline is written, the JFR event committed and listeners told.
     */
    void finished(
            CallListener.CallOutcome outcome,
            long tasksCompleted,
            @Nullable Throwable failure,
            Iterable<BatchResult> late) {
        this.endNanos = System.nanoTime();
        this.outcome = outcome;
        this.tasksCompleted = tasksCompleted;
        this.failureText = failure == null ? null : String.valueOf(failure);
        for (BatchResult r : late) {
            if (inFlight.containsKey(r.batch())) {
                CallListener.BatchOutcome o = outcomeOf(r, true);
                ended(r, o == CallListener.BatchOutcome.OK ? CallListener.BatchOutcome.CANCELLED : o);
            }
        }
        List<Map.Entry<Batch, Submitted>> rest = new ArrayList<>(inFlight.entrySet());
        rest.sort((a, b) -> Long.compare(a.getKey().firstIndex(), b.getKey().firstIndex()));
        for (Map.Entry<Batch, Submitted> e : rest) {
            Long arrival = arrivals.remove(e.getKey());
            record(
                    e.getKey(),
                    e.getValue(),
                    null,
                    0,
                    0,
                    arrival != null ? arrival : endNanos,
                    -1,
                    -1,
                    CallListener.BatchOutcome.CANCELLED,
                    null);
        }
        inFlight.clear();
        if (callEvent != null) {
            callEvent.end();
            if (callEvent.shouldCommit()) {
                callEvent.callId = id;
                callEvent.backend = backend;
                callEvent.nJobs = nJobs;
                callEvent.tasks = tasksCompleted;
                callEvent.outcome = outcome.name().toLowerCase(Locale.ROOT);
                callEvent.commit();
            }
        }
        if (timeline != null) {
            try {
                TimelineReport.write(this, timeline);
            } catch (IOException | RuntimeException e) {
                System.err.println("[Parallel] could not write the timeline report to " + timeline + ": " + e);
            }
        }
        for (CallListener l : listeners) {
            try {
                l.callEnded(this, outcome);
            } catch (RuntimeException e) {
                listenerFailed(l, e);
            }
        }
    }

    private static final java.util.Set<Class<?>> REPORTED = ConcurrentHashMap.newKeySet();

    private static void listenerFailed(CallListener l, RuntimeException e) {
        if (REPORTED.add(l.getClass())) {
            System.err.println(
                    "[Parallel] the CallListener " + l.getClass().getName() + " threw (reported once): " + e);
        }
    }

    /** One ended batch. */
    @SuppressWarnings("ArrayRecordComponent") // a snapshot for listeners: never compared or hashed
    record Rec(
            @Nullable String worker,
            long firstIndex,
            int tasks,
            int tasksCompleted,
            long durationNanos,
            long submittedNanos,
            long endedNanos,
            long bytesSent,
            long bytesReceived,
            CallListener.BatchOutcome outcome,
            @Nullable String failure,
            String @Nullable [] descriptions)
            implements CallListener.BatchRecord {}
}
