package io.joblib4j.parallel;

import io.joblib4j.Task;
import io.joblib4j.backend.Batch;
import io.joblib4j.backend.BatchListener;
import io.joblib4j.backend.BatchResult;
import io.joblib4j.backend.Failures;
import io.joblib4j.backend.Workers;
import io.joblib4j.internal.ResultSlots;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * One call of {@link Parallel}: reads the input lazily, cuts it into batches, keeps at most {@code preDispatch}
 * batches in flight or waiting for the consumer, hands results out in input or completion order, reports progress
 * and turns the first failure into the call's exception. Everything here runs in the thread that drives the call
 * (the caller, or the consumer of its stream); backends only post finished batches to {@link #events}.
 */
// R is the call's result type at the start site (Parallel.start); values are carried as Object inside.
@SuppressWarnings("UnusedTypeParameter")
final class ParallelRun<R> implements Iterator<Object>, BatchListener {

    enum Mode {
        /** {@code run}/{@code map}: values in input order, all at once. */
        LIST(true, false),
        /** {@code stream}: values in input order, lazily. */
        ORDERED(true, true),
        /** {@code streamUnordered}: values in completion order, lazily. */
        UNORDERED(false, true),
        /** {@code outcomes}: an {@link Outcome} per task in input order, lazily; failures do not stop the call. */
        OUTCOMES(true, true);

        final boolean ordered;
        final boolean lazy;

        Mode(boolean ordered, boolean lazy) {
            this.ordered = ordered;
            this.lazy = lazy;
        }
    }

    /** Consecutive results (values, or Outcomes in OUTCOMES mode) of one batch. */
    private static final class Chunk {
        final List<@Nullable Object> items;
        int cursor;

        Chunk(List<@Nullable Object> items) {
            this.items = items;
        }
    }

    /** How long to wait, after a failure, for earlier tasks still running that may also fail. */
    private static final long FIRST_FAILURE_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Parallel.Resolved settings;
    private final Mode mode;
    /** Tasks, or the arguments of {@link #function} when the call maps a function. */
    private final Iterator<?> input;

    private final io.joblib4j.@Nullable SerializableFunction1<?, ?> function;
    private final AtomicBoolean running;
    private final Workers workers;
    private final AutoBatcher batcher;
    private final ConfigFrame taskContext;
    private final LinkedBlockingQueue<BatchResult> events = new LinkedBlockingQueue<>();
    private final ArrayDeque<Batch> ready = new ArrayDeque<>();
    private final TreeMap<Long, Chunk> pending = new TreeMap<>();
    private final ArrayDeque<Chunk> deliverable = new ArrayDeque<>();
    /** Retries already used by the batch a resubmitted one is the rest of (absent: none). */
    private final IdentityHashMap<Batch, Integer> retriesUsed = new IdentityHashMap<>();

    private final List<Batch> inFlightBatches = new ArrayList<>();
    private final long startNanos = System.nanoTime();
    private final @Nullable TerminalProgress bar;
    /** The call's record for a timeline, JFR or listeners; null when nothing asks for one. */
    private final @Nullable CallRecorder recorder;

    /**
     * The {@link Parallel} of this call, kept reachable while the call runs: its cleaner closes its workers once it is
     * garbage, and a {@code Parallel} made for one call only ({@code ProcessPool.map} makes one) is garbage as soon as
     * the call has started, though the call still needs those workers.
     */
    private final Object owner;

    private final long knownSize;
    /** The input itself when it is a random-access list of {@link #knownSize}, until {@link #sourceItems} is read. */
    private @Nullable List<?> source;
    /** The items of {@link #source}, read in one step (an array copy for the JDK's lists) at the first batch. */
    private Object @Nullable [] sourceItems;
    /**
     * Where the batches write their values in place ({@link Mode#LIST} on a backend whose workers share this memory,
     * more than one of them, input of known size), or null: then {@link #all} copies the values of each batch.
     */
    private final @Nullable ResultSlots slots;

    private boolean inputExhausted;
    private long tasksRead;
    private long nextToDeliver;
    private long dispatchedBatches;
    private long dispatchedTasks;
    private long completedTasks;
    private @Nullable RuntimeException failure;
    private boolean ended;
    private boolean finishedNormally;

    /** The largest input whose values are written in place (a larger one grows its list as before). */
    private static final long MAX_SLOTS = 1 << 26;

    /**
     * @param owner    the {@link Parallel} running the call, kept reachable until the call is over
     * @param input    the tasks, or the arguments of {@code function}
     * @param source   the input itself when it is a random-access list, else null
     * @param function the function mapped over {@code input}, or null when {@code input} yields tasks
     */
    ParallelRun(
            Object owner,
            Parallel.Resolved settings,
            Mode mode,
            Iterator<?> input,
            long knownSize,
            @Nullable List<?> source,
            io.joblib4j.@Nullable SerializableFunction1<?, ?> function,
            Workers workers,
            AtomicBoolean running,
            AutoBatcher batcher) {
        this.owner = owner;
        this.settings = settings;
        this.knownSize = knownSize;
        this.source = source != null && source.size() == knownSize ? source : null;
        // Not for one worker in the caller's thread: there each batch is one task, and a view of its own would cost
        // more than the copy of its one value.
        this.slots = mode == Mode.LIST
                        && settings.backend().sharedMemory()
                        && !settings.sequential()
                        && knownSize > 0
                        && knownSize <= MAX_SLOTS
                ? new ResultSlots((int) knownSize)
                : null;
        this.mode = mode;
        this.input = input;
        this.function = function;
        this.workers = workers;
        this.running = running;
        this.batcher = batcher;
        this.taskContext = settings.taskContext();
        this.bar = settings.progressBar() ? TerminalProgress.openIfTerminal(settings.progressLabel()) : null;
        if (bar != null && knownSize >= 0) {
            bar.update(0, knownSize);
        }
        settings.verbose().start(settings.backend().displayName(), settings.workers());
        this.recorder = CallRecorder.open(settings);
    }

    // ---- consumer side ----------------------------------------------------------------------------------------

    private @Nullable Object nextItem;
    private boolean hasNextItem;

    @Override
    public boolean hasNext() {
        if (!hasNextItem) {
            Object item = advance();
            if (item == END) {
                return false;
            }
            nextItem = item;
            hasNextItem = true;
        }
        return true;
    }

    @Override
    public @Nullable Object next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        hasNextItem = false;
        Object item = nextItem;
        nextItem = null;
        return item;
    }

    /** Runs the whole call and returns the values in input order. */
    List<Object> all() {
        ResultSlots in = slots;
        if (in != null) {
            long placed = 0;
            Chunk head;
            while ((head = headChunk()) != null) {
                // Values the batches wrote in place stay where they are; anything else is copied there.
                in.place(head.items, head.cursor, placed);
                placed += head.items.size() - head.cursor;
                deliverable.pollFirst();
            }
            @SuppressWarnings("NullAway") // a task's value may be null: the call's list holds it as it is
            List<Object> out = in.list(placed);
            return out;
        }
        // Sized up front when the input's size is known: growing a list of millions copies it about 30 times.
        List<Object> out = new ArrayList<>((int) Math.max(10, Math.min(knownSize, 1 << 24)));
        Chunk head;
        while ((head = headChunk()) != null) {
            // Element by element: addAll would first copy the chunk into a new array (toArray), which for
            // chunks of a million results is a large allocation of its own.
            List<@Nullable Object> items = head.items;
            for (int i = head.cursor, size = items.size(); i < size; i++) {
                out.add(items.get(i));
            }
            deliverable.pollFirst();
        }
        return out;
    }

    private static final Object END = new Object();

    /** The next item for the consumer, or END; throws the call's failure. */
    private Object advance() {
        Chunk head = headChunk();
        if (head == null) {
            return END;
        }
        Object item = head.items.get(head.cursor++);
        if (head.cursor == head.items.size()) {
            deliverable.pollFirst();
        }
        return item;
    }

    /**
     * The chunk whose items the consumer gets next (at least one left, still at the head of {@link #deliverable}), or
     * null at the end; throws the call's failure.
     */
    private @Nullable Chunk headChunk() {
        try {
            while (true) {
                if (failure != null) {
                    end();
                    throw thrown(failure);
                }
                Chunk head = deliverable.peekFirst();
                if (head != null) {
                    return head;
                }
                if (ended) {
                    return null;
                }
                fill();
                if (failure != null) {
                    continue;
                }
                if (inFlightBatches.isEmpty()) {
                    if (deliverable.isEmpty() && inputExhausted && ready.isEmpty()) {
                        finish();
                        return null;
                    }
                    continue;
                }
                handle(events.take());
                BatchResult more;
                while (failure == null && (more = events.poll()) != null) {
                    handle(more);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = new CancellationWithCause("the thread running the Parallel call was interrupted", e);
            end();
            throw failure;
        } catch (RuntimeException | Error e) {
            if (!ended) {
                // Whatever went wrong (an Error included), the rest of the call stops now.
                workers.abort();
                if (failure == null && e instanceof RuntimeException re) {
                    failure = re;
                }
                end();
            }
            throw e;
        } finally {
            // the workers are the Parallel's: it must not be collected (and its workers closed) while it waits here
            Reference.reachabilityFence(owner);
        }
    }

    /** What the consumer sees for the call's failure: an Error of a task as itself. */
    private static RuntimeException thrown(RuntimeException failure) {
        if (failure instanceof TaskError carried) {
            throw carried.error;
        }
        return failure;
    }

    /**
     * Closes the call early: in-flight work is cancelled and the instance freed for the next call. Called by the
     * stream's close, or by the cleaner once a stream that was neither read to its end nor closed is garbage.
     */
    synchronized void cancel() {
        if (!ended) {
            workers.abort();
            end();
        }
    }

    // ---- dispatch ---------------------------------------------------------------------------------------------

    private int buffered() {
        return mode.lazy ? pending.size() + deliverable.size() : 0;
    }

    private void fill() {
        while (failure == null && inFlightBatches.size() + buffered() < settings.preDispatch()) {
            Batch batch = nextBatch();
            if (batch == null) {
                return;
            }
            dispatch(batch);
            // A sequential backend runs the batch inside submit: deliver it before reading more input.
            if (settings.sequential()) {
                return;
            }
        }
    }

    private void dispatch(Batch batch) {
        dispatchedBatches++;
        dispatchedTasks += batch.size();
        resubmit(batch);
    }

    /** Submits a batch whose tasks were already counted as dispatched (a retry, or the rest of a failed batch). */
    private void resubmit(Batch batch) {
        inFlightBatches.add(batch);
        if (recorder == null) {
            workers.submit(batch, this);
            return;
        }
        long start = System.nanoTime();
        workers.submit(batch, this);
        recorder.submitted(batch, start);
    }

    /** A backend reports a finished batch (from any thread). */
    @Override
    public void done(BatchResult result) {
        if (recorder != null) {
            recorder.arrived(result.batch());
        }
        events.add(result);
    }

    private @Nullable Batch nextBatch() {
        if (!ready.isEmpty()) {
            return ready.pollFirst();
        }
        if (inputExhausted) {
            return null;
        }
        int batchSize = batcher.size();
        int n = settings.workers();
        long big = (long) batchSize * n;
        // Read no further than the batches preDispatch still allows: the bound on what is read ahead is exact.
        long allowed = (long) batchSize * Math.max(1, settings.preDispatch() - inFlightBatches.size() - buffered());
        long want = Math.min(big, allowed);
        boolean small = smallInput();
        if (small) {
            want = knownSize;
        }
        // Of the input's size when it is known (the rest of a collection): no copies while growing the slice.
        long left = knownSize >= 0 ? knownSize - tasksRead : -1;
        Object[] slice;
        int count = 0;
        try {
            List<?> list = source;
            if (list != null && sourceItems == null) {
                Object[] all = list.toArray();
                if (all.length != knownSize) {
                    throw new java.util.ConcurrentModificationException("the input list changed after the call began: "
                            + all.length + " items where " + knownSize + " were counted");
                }
                sourceItems = all;
                source = null;
            }
            Object[] items = sourceItems;
            if (items != null) {
                // A random-access list is read in one step, rather than item by item.
                count = (int) Math.min(want, left);
                int from = (int) tasksRead;
                slice = count == items.length ? items : Arrays.copyOfRange(items, from, from + count);
                if (function == null) {
                    for (int i = 0; i < count; i++) {
                        if (slice[i] == null) {
                            throw new NullPointerException("task " + (tasksRead + i) + " of the input is null");
                        }
                    }
                }
            } else {
                slice = new Object[(int) (left >= 0 && left <= want ? Math.max(1, left) : Math.min(want, 1 << 16))];
            }
            while (items == null && count < want && input.hasNext()) {
                Object item = input.next();
                if (item == null && function == null) {
                    throw new NullPointerException("task " + (tasksRead + count) + " of the input is null");
                }
                if (count == slice.length) {
                    slice = Arrays.copyOf(slice, (int) Math.min(want, 2L * slice.length));
                }
                slice[count++] = item;
            }
            if (count < want) {
                inputExhausted = true;
            }
        } catch (RuntimeException | Error e) {
            // An exception of the input itself reaches the caller as it is.
            inputExhausted = true;
            workers.abort();
            failure = e instanceof RuntimeException re ? re : new InputError(e);
            if (e instanceof Error err) {
                end();
                throw err;
            }
            return null;
        }
        if (count == 0) {
            return null;
        }
        int finalSize;
        if (settings.sequential()) {
            finalSize = 1;
        } else if (small) {
            // One batch per worker: each worker answers once, instead of once per task.
            finalSize = (count + n - 1) / n;
        } else if (inputExhausted) {
            // The end of the input: spread the tail evenly over the workers.
            finalSize = settings.batchSize().isAuto() ? batcher.tailSize(count, n) : batchSize;
        } else if (want < big) {
            finalSize = batchSize;
        } else {
            finalSize = Math.max(1, Math.min(count / n, batchSize));
        }
        for (int from = 0; from < count; from += finalSize) {
            int to = Math.min(count, from + finalSize);
            // A batch of all that was read takes the slice itself (arguments of a function: any Object[] will do).
            Object[] part = function != null && from == 0 && to == slice.length
                    ? slice
                    : Arrays.copyOfRange(slice, from, to, function == null ? Task[].class : Object[].class);
            Batch batch = function == null
                    ? Batch.ofTasks(tasksRead + from, (Task<?>[]) part, taskContext)
                    : Batch.ofCalls(tasksRead + from, function, part, taskContext);
            ResultSlots in = slots;
            if (in != null && batch instanceof ResultSlots.Writer writer && in.fits(batch.firstIndex(), batch.size())) {
                batch = (Batch) writer.writingInto(in);
            }
            ready.addLast(batch);
        }
        tasksRead += count;
        return ready.pollFirst();
    }

    /**
     * Whether the whole input is a small one of known size that one task per batch would dispatch at once anyway (at
     * most {@code 2 * workers} tasks, within {@code preDispatch}), at the first read of a call with automatic batch
     * size on a backend whose workers are not in this JVM: it is then cut into one batch per worker instead of one
     * per task. The input read ahead is the same, and each worker answers once instead of once per task (a round
     * trip to a worker JVM costs far more than a tiny task). Threads keep one task per batch: there a queued batch
     * costs nothing, and two batches of two wake both threads where four of one are often run by the first. Fixed
     * batch sizes, larger inputs and inputs of unknown size keep joblib's batching.
     */
    private boolean smallInput() {
        return !settings.sequential()
                && !settings.backend().sharedMemory()
                && settings.batchSize().isAuto()
                && tasksRead == 0
                && knownSize > 1
                && knownSize <= 2L * settings.workers()
                && knownSize <= settings.preDispatch();
    }

    // ---- completion -------------------------------------------------------------------------------------------

    private void handle(BatchResult result) {
        Batch batch = result.batch();
        if (!inFlightBatches.remove(batch)) {
            return; // a late report for a batch that was aborted
        }
        int used = retriesUsed.getOrDefault(batch, 0);
        retriesUsed.remove(batch);
        if (recorder != null) {
            boolean retried = result.failure() instanceof Failures.WorkerLost && used < settings.retries();
            recorder.ended(result, retried ? CallListener.BatchOutcome.RETRIED : CallRecorder.outcomeOf(result, false));
        }
        batcher.completed(batch.size(), result.nanos());
        List<@Nullable Object> values = result.values();
        if (result.succeeded()) {
            completedTasks += values.size();
            addChunk(batch.firstIndex(), values);
            progress();
            return;
        }
        long failedIndex = result.failedIndex();
        int failedAt = values.size();
        Throwable cause = Objects.requireNonNull(result.failure(), "failure of a failed batch");
        if (cause instanceof Failures.WorkerLost && used < settings.retries()) {
            completedTasks += values.size();
            addChunk(batch.firstIndex(), values);
            Batch rest = batch.slice(failedAt, batch.size());
            resubmit(rest.withAttempt(rest.attempt() + 1), used + 1);
            progress();
            return;
        }
        RuntimeException error =
                mapFailure(cause, failedIndex, batch.task(failedAt).describe(), result.worker());
        if (mode == Mode.OUTCOMES && !(error instanceof TaskError)) {
            completedTasks += values.size() + 1;
            List<@Nullable Object> items = new ArrayList<>(values.size() + 1);
            items.addAll(values);
            items.add(new FailedItem(error));
            addChunk(batch.firstIndex(), items);
            if (failedAt + 1 < batch.size()) {
                resubmit(batch.slice(failedAt + 1, batch.size()), used);
            }
            progress();
            return;
        }
        completedTasks += values.size();
        decideFailure(failedIndex, error);
    }

    /** The exception for a task's failure; an Error is carried in a {@link TaskError}, to be thrown as itself. */
    private RuntimeException mapFailure(Throwable cause, long index, String call, @Nullable String worker) {
        try {
            return Errors.map(cause, index, call, settings.backend().name(), worker);
        } catch (Error e) {
            return new TaskError(e);
        }
    }

    /**
     * Submits the rest of a batch again after its worker died (or, for outcomes, after a task failed). The rest
     * carries the retries its batch has used: a batch and its rests survive at most {@code retries} worker deaths,
     * so every task runs at most 1 + retries times, even when the crash is blamed on an earlier task of the batch
     * whose value had not reached the parent yet (values of very short tasks travel in groups).
     */
    private void resubmit(Batch rest, int retriesUsedSoFar) {
        if (retriesUsedSoFar > 0) {
            retriesUsed.put(rest, retriesUsedSoFar);
        }
        resubmit(rest);
    }

    /**
     * The first failure aborts the call. Which one is reported: the one with the lowest input index among the
     * failures known once earlier batches still running have had a short grace period to report theirs.
     */
    private void decideFailure(long index, RuntimeException error) {
        long bestIndex = index;
        RuntimeException best = error;
        long deadline = System.nanoTime() + FIRST_FAILURE_GRACE_NANOS;
        while (true) {
            long earliestRunning = Long.MAX_VALUE;
            for (Batch b : inFlightBatches) {
                earliestRunning = Math.min(earliestRunning, b.firstIndex());
            }
            if (earliestRunning > bestIndex) {
                break;
            }
            long wait = deadline - System.nanoTime();
            BatchResult more;
            try {
                more = wait <= 0 ? events.poll() : events.poll(wait, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (more == null) {
                break;
            }
            if (!inFlightBatches.remove(more.batch())) {
                continue;
            }
            int used = retriesUsed.getOrDefault(more.batch(), 0);
            if (recorder != null) {
                recorder.ended(more, CallRecorder.outcomeOf(more, false));
            }
            if (more.succeeded()) {
                completedTasks += more.values().size();
                continue;
            }
            long i = more.failedIndex();
            // A lost worker whose batch could still be retried does not decide the call's failure.
            if (i < bestIndex && !(more.failure() instanceof Failures.WorkerLost && used < settings.retries())) {
                bestIndex = i;
                best = mapFailure(
                        Objects.requireNonNull(more.failure(), "failure of a failed batch"),
                        i,
                        more.batch().task(more.values().size()).describe(),
                        more.worker());
            }
        }
        workers.abort();
        inFlightBatches.clear();
        failure = best;
    }

    private void addChunk(long first, List<@Nullable Object> values) {
        if (values.isEmpty()) {
            return;
        }
        List<@Nullable Object> items = values;
        if (mode == Mode.OUTCOMES) {
            items = new ArrayList<>(values.size());
            for (int i = 0; i < values.size(); i++) {
                Object v = values.get(i);
                items.add(
                        v instanceof FailedItem f
                                ? Outcome.failure(first + i, f.error)
                                : Outcome.success(first + i, v));
            }
        }
        Chunk chunk = new Chunk(items);
        if (!mode.ordered) {
            deliverable.addLast(chunk);
            return;
        }
        pending.put(first, chunk);
        Chunk next;
        while ((next = pending.get(nextToDeliver)) != null) {
            pending.remove(nextToDeliver);
            deliverable.addLast(next);
            nextToDeliver += next.items.size();
        }
    }

    private record FailedItem(RuntimeException error) {}

    private void progress() {
        progress(false);
    }

    /** Reports progress after a batch, or once more at the end (when a lazy run learns the total last). */
    private void progress(boolean atEnd) {
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        if (!atEnd) {
            settings.verbose()
                    .progress(
                            completedTasks,
                            dispatchedBatches,
                            dispatchedTasks,
                            inputExhausted && ready.isEmpty(),
                            settings.preDispatchTasks(),
                            elapsed);
        }
        long totalTasks = inputExhausted && ready.isEmpty() ? dispatchedTasks : knownSize;
        if (bar != null) {
            bar.update(completedTasks, totalTasks);
        }
        ProgressListener listener = settings.listener();
        if (listener != null) {
            OptionalLong total = totalTasks >= 0 ? OptionalLong.of(totalTasks) : OptionalLong.empty();
            Optional<Duration> remaining = totalTasks >= 0 && completedTasks > 0
                    ? Optional.of(Duration.ofNanos((long) ((System.nanoTime() - startNanos)
                            / (double) completedTasks
                            * (totalTasks - completedTasks))))
                    : Optional.empty();
            listener.onProgress(new ProgressListener.Progress(
                    completedTasks, total, Duration.ofNanos(System.nanoTime() - startNanos), remaining));
        }
    }

    private void finish() {
        finishedNormally = true;
        progress(true);
        settings.verbose().finished(completedTasks, (System.nanoTime() - startNanos) / 1e9);
        end();
    }

    private void end() {
        if (ended) {
            return;
        }
        ended = true;
        if (failure != null) {
            workers.abort();
        }
        try {
            if (bar != null) {
                bar.close();
            }
            workers.callEnded();
        } finally {
            try {
                CallRecorder r = recorder;
                if (r != null) {
                    recordEnd(r);
                }
            } finally {
                running.set(false);
            }
        }
    }

    private void recordEnd(CallRecorder recorder) {
        List<BatchResult> late = new ArrayList<>();
        events.drainTo(late);
        CallListener.CallOutcome outcome = finishedNormally
                ? CallListener.CallOutcome.OK
                : failure == null || failure instanceof CancellationWithCause
                        ? CallListener.CallOutcome.CANCELLED
                        : CallListener.CallOutcome.FAILED;
        Throwable cause = failure instanceof TaskError e ? e.error : failure;
        recorder.finished(outcome, completedTasks, cause, late);
    }

    /** An Error thrown by a task, carried as the call's failure and thrown to the consumer as itself. */
    private static final class TaskError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final Error error;

        TaskError(Error error) {
            super(error);
            this.error = error;
        }
    }

    /** An Error thrown by the input iterator, carried while the call is cleaned up. */
    private static final class InputError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InputError(Throwable cause) {
            super(cause);
        }
    }

    /** The caller's thread was interrupted while waiting for results. */
    static final class CancellationWithCause extends java.util.concurrent.CancellationException {
        private static final long serialVersionUID = 1L;

        CancellationWithCause(String message, Throwable cause) {
            super(message);
            initCause(cause);
        }
    }
}
