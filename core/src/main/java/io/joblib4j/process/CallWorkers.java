package io.joblib4j.process;

import io.joblib4j.SerializableRunnable;
import io.joblib4j.Task;
import io.joblib4j.backend.Batch;
import io.joblib4j.backend.BatchListener;
import io.joblib4j.backend.BatchResult;
import io.joblib4j.backend.Failures;
import io.joblib4j.backend.WorkerSpec;
import io.joblib4j.internal.process.Codec;
import io.joblib4j.internal.process.WorkerClassPath;
import java.io.IOException;
import java.io.NotSerializableException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The workers leased from a {@link WorkerPool} for one call (or one {@code Parallel} scope): up to {@code nJobs}
 * worker JVMs, a queue of batches waiting for a free one, and the call's shared arrays.
 *
 * <p>Batches are serialized in the submitting thread, so a task that cannot be serialized fails at once and alone
 * (the tasks before it in its batch still run). A worker that dies fails its batch with
 * {@link Failures.WorkerLost} and is replaced; a task running past the timeout has its worker killed and fails with
 * {@link Failures.Timeout}.
 */
final class CallWorkers implements io.joblib4j.backend.Workers, WorkerHandle.Owner {
    private static final AtomicLong CALLS = new AtomicLong();
    private static final AtomicLong JOBS = new AtomicLong();

    private final WorkerPool pool;
    private final WorkerSpec spec;
    /** The current call: a new id and new shared arrays after each {@link #callEnded()}. */
    private volatile long callId = CALLS.incrementAndGet();

    private volatile SharedArrays arrays;
    private final byte @Nullable [] initBytes;
    private final long initKey;
    private final List<WorkerHandle> workers = new ArrayList<>();
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private final Map<WorkerHandle, Job> running = new HashMap<>();
    /** The workers that ran batches of this call, told to forget its arrays when it closes. */
    private final java.util.Set<WorkerHandle> used =
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    private boolean closed;
    private @Nullable RuntimeException startupError;

    /** A batch on its way through a worker. */
    private static final class Job {
        final long id = JOBS.incrementAndGet();
        final Batch batch;
        final BatchListener listener;
        final byte[] payload;
        /** Fails the batch after its sent prefix, for a task that could not be serialized; or null. */
        final @Nullable Throwable tail;

        final List<@Nullable Object> received = new ArrayList<>();
        final AtomicBoolean reported = new AtomicBoolean();

        @Nullable
        ScheduledFuture<?> timer;
        /** Bytes sent to run the job, and the worker's received-bytes count when it was sent (for reports). */
        long bytesSent;

        long receivedBefore;

        Job(Batch batch, BatchListener listener, byte[] payload, @Nullable Throwable tail) {
            this.batch = batch;
            this.listener = listener;
            this.payload = payload;
            this.tail = tail;
        }

        void report(BatchResult result) {
            if (reported.compareAndSet(false, true)) {
                listener.done(result);
            }
        }

        void cancelTimer() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }
    }

    CallWorkers(WorkerPool pool, WorkerSpec spec) {
        this(pool, spec, null);
    }

    /**
     * @param poolInitializer the pool's own initializer, run before the call's (if any), once per worker whichever
     *                        path (a {@code Parallel} call, {@code submit}) reaches the worker first; null for none
     */
    CallWorkers(WorkerPool pool, WorkerSpec spec, @Nullable SerializableRunnable poolInitializer) {
        this.pool = pool;
        this.spec = spec;
        this.arrays = SharedArrays.of(spec, pool.published());
        SerializableRunnable init = spec.initializer();
        if (poolInitializer != null && init != null && init != poolInitializer) {
            SerializableRunnable call = init;
            init = () -> {
                poolInitializer.run();
                call.run();
            };
        } else if (poolInitializer != null) {
            init = poolInitializer;
        }
        if (init != null) {
            try {
                initBytes = Codec.encode(init, null);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException(
                        "the initializer " + init.getClass().getName()
                                + " cannot be serialized to send it to the worker processes: " + e,
                        e);
            }
            initKey = Arrays.hashCode(initBytes) * 31L + initBytes.length | 1L;
        } else {
            initBytes = null;
            initKey = 0;
        }
        synchronized (this) {
            for (int i = 0; i < spec.nJobs(); i++) {
                workers.add(pool.acquire(this));
            }
        }
        dispatch();
    }

    @Override
    public int size() {
        return spec.nJobs();
    }

    /** The worker processes leased now (for tests and reports). */
    synchronized List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        for (WorkerHandle h : workers) {
            pids.add(h.pid());
        }
        return pids;
    }

    @Override
    public void submit(Batch batch, BatchListener listener) {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("these workers have been closed");
            }
            if (startupError != null) {
                listener.done(BatchResult.failure(batch, List.of(), startupError, null, 0));
                return;
            }
        }
        Job job = encode(batch, listener);
        if (job == null) {
            return;
        }
        List<Job> failed = new ArrayList<>();
        RuntimeException error = null;
        synchronized (this) {
            if (closed) {
                return;
            }
            queue.add(job);
            while (workers.size() < spec.nJobs() && error == null) {
                error = lease(failed); // workers released while idle come back, warm, from the pool
            }
        }
        for (Job j : failed) {
            j.report(BatchResult.failure(j.batch, List.of(), failedWith(error), null, 0));
        }
        dispatch();
    }

    /**
     * With nothing queued or running, gives the workers back to the pool, where they wait warm (and the idle timeout
     * applies): a {@code Parallel} that is not closed does not pin worker processes between its calls. The next
     * {@link #submit} takes workers from the pool again.
     */
    private void releaseIfIdle() {
        if (closed || !queue.isEmpty() || !running.isEmpty() || workers.isEmpty()) {
            return;
        }
        for (WorkerHandle h : workers) {
            pool.release(h);
        }
        workers.clear();
    }

    private @Nullable Job encode(Batch batch, BatchListener listener) {
        try {
            return new Job(batch, listener, Codec.encode(message(batch, batch.size()), arrays), null);
        } catch (Exception whole) {
            IOException writeFailure = sharedArrayWriteFailure(whole);
            if (writeFailure != null) {
                // not the task's fault: the temp folder cannot take its arrays (full, read-only...)
                listener.done(BatchResult.failure(batch, List.of(), writeFailure, null, 0));
                return null;
            }
            int bad = 0;
            Exception cause = whole;
            for (; bad < batch.size(); bad++) {
                try {
                    Codec.encode(batch.task(bad), arrays);
                } catch (Exception e) {
                    cause = e;
                    break;
                }
            }
            Task<?> task = batch.task(Math.min(bad, batch.size() - 1));
            Exception failure = new NotSerializableException("task " + (batch.firstIndex() + bad) + " ("
                    + task.getClass().getName() + ") cannot be serialized to send it to a worker process: " + cause);
            failure.initCause(cause);
            if (bad == 0 || bad >= batch.size()) {
                listener.done(BatchResult.failure(batch, List.of(), failure, null, 0));
                return null;
            }
            try {
                return new Job(batch, listener, Codec.encode(message(batch, bad), arrays), failure);
            } catch (Exception e) {
                listener.done(BatchResult.failure(batch, List.of(), failure, null, 0));
                return null;
            }
        }
    }

    /**
     * Leases one more worker; if none can be had (the pool is shut down, no process can be started) and no worker is
     * left, the queued jobs are removed into {@code failed} and the error is returned, so that they fail instead of
     * waiting for a worker that never comes. Called holding this object's lock.
     */
    private @Nullable RuntimeException lease(List<Job> failed) {
        try {
            workers.add(pool.acquire(this));
            return null;
        } catch (RuntimeException e) {
            if (workers.isEmpty()) {
                failed.addAll(queue);
                queue.clear();
            }
            return e;
        }
    }

    /** The failure to write a shared array behind {@code e}, as the I/O error it is, or null if there is none. */
    private static @Nullable IOException sharedArrayWriteFailure(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof SharedArrays.WriteFailure w) {
                return new IOException(w.getMessage(), w.getCause());
            }
        }
        return null;
    }

    /** The batch as it travels: its first {@code count} tasks, with a configuration fit for another JVM. */
    private static Batch message(Batch batch, int count) {
        Batch b = count == batch.size() ? batch : batch.slice(0, count);
        return b.portable();
    }

    private void dispatch() {
        List<Map.Entry<WorkerHandle, Job>> sends = new ArrayList<>();
        synchronized (this) {
            for (WorkerHandle h : workers) {
                if (queue.isEmpty()) {
                    break;
                }
                if (h.isReady() && !h.isRetiring() && !running.containsKey(h)) {
                    Job job = queue.poll();
                    running.put(h, job);
                    used.add(h);
                    job.receivedBefore = h.bytesReceived;
                    sends.add(Map.entry(h, job));
                }
            }
        }
        for (Map.Entry<WorkerHandle, Job> send : sends) {
            WorkerHandle h = send.getKey();
            Job job = send.getValue();
            byte[] init = null;
            synchronized (this) {
                if (initBytes != null && h.initKey != initKey) {
                    init = initBytes;
                    h.initKey = initKey;
                }
                job.bytesSent = (long) job.payload.length + (init == null ? 0 : init.length);
            }
            try {
                h.run(job.id, callId, spec.timeout() != null, initKey, init, job.payload);
            } catch (IOException e) {
                h.kill(); // its exit reports the batch as lost
            }
        }
    }

    @Override
    public void ready(WorkerHandle worker) {
        boolean release;
        synchronized (this) {
            release = closed;
        }
        if (release) {
            pool.release(worker);
        } else {
            dispatch();
        }
    }

    @Override
    public void started(WorkerHandle worker, long jobId, int index) {
        Duration timeout = spec.timeout();
        if (timeout == null) {
            return;
        }
        synchronized (this) {
            Job job = running.get(worker);
            if (job == null || job.id != jobId) {
                return;
            }
            job.cancelTimer();
            job.timer = WorkerPool.TIMER.schedule(
                    () -> timedOut(worker, job, index), timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void timedOut(WorkerHandle worker, Job job, int index) {
        List<@Nullable Object> values;
        synchronized (this) {
            if (running.get(worker) != job || job.reported.get()) {
                return;
            }
            values = new ArrayList<>(job.received.subList(0, Math.min(index, job.received.size())));
        }
        worker.kill();
        job.report(BatchResult.failure(
                job.batch,
                values,
                new Failures.Timeout(Objects.requireNonNull(spec.timeout(), "timeout of a timed call")),
                worker.name(),
                0));
    }

    @Override
    public void values(WorkerHandle worker, long jobId, List<@Nullable Object> values) {
        synchronized (this) {
            Job job = running.get(worker);
            if (job != null && job.id == jobId) {
                job.received.addAll(values);
            }
        }
    }

    @Override
    public void done(
            WorkerHandle worker,
            long jobId,
            List<@Nullable Object> values,
            @Nullable Throwable failure,
            boolean retire,
            long nanos) {
        Job job;
        BatchResult result;
        List<Job> failedJobs = new ArrayList<>();
        RuntimeException leaseError = null;
        synchronized (this) {
            job = running.get(worker);
            if (job == null || job.id != jobId) {
                return;
            }
            running.remove(worker);
            job.cancelTimer();
            job.received.addAll(values);
            worker.tasksRun += job.received.size() + (failure == null ? 0 : 1);
            int max = pool.config().maxTasksPerWorker();
            if (retire) {
                worker.retiredByItself();
            } else if (max > 0 && worker.tasksRun >= max) {
                worker.retire();
            }
            if (worker.isRetiring() && workers.remove(worker) && !closed) {
                leaseError = lease(failedJobs);
            }
            List<@Nullable Object> got = new ArrayList<>(job.received);
            if (failure != null) {
                result = BatchResult.failure(job.batch, got, failure, worker.name(), nanos);
            } else if (job.tail != null) {
                result = BatchResult.failure(job.batch, got, job.tail, worker.name(), nanos);
            } else if (got.size() != job.batch.size()) {
                result = BatchResult.failure(
                        job.batch,
                        got,
                        new IllegalStateException(worker.name() + " returned " + got.size() + " values for a batch of "
                                + job.batch.size() + " tasks"),
                        worker.name(),
                        nanos);
            } else {
                result = BatchResult.success(job.batch, got, worker.name(), nanos);
            }
            releaseIfIdle();
        }
        job.report(result.withBytes(job.bytesSent, worker.bytesReceived - job.receivedBefore));
        for (Job j : failedJobs) {
            j.report(BatchResult.failure(j.batch, List.of(), failedWith(leaseError), null, 0));
        }
        dispatch();
    }

    @Override
    public void exited(WorkerHandle worker, String status) {
        Job job;
        List<Job> failed = List.of();
        RuntimeException error = null;
        // before it connected, the worker's stderr says why; it ends soon after the process does
        String stderr = worker.wasReady() ? null : worker.stderrTail(2000);
        synchronized (this) {
            boolean mine = workers.remove(worker);
            job = running.remove(worker);
            if (job != null) {
                job.cancelTimer();
            }
            if (mine && !closed) {
                // A worker that exits by itself before it connects cannot start (JVM options, class path): the call's
                // batches fail with that error. One killed by a signal before it connected crashed like any other:
                // it is replaced, and a queued batch fails with WorkerLost in its place, so retries count it.
                boolean killedStarting = !worker.wasReady() && job == null && status.startsWith("SIG");
                if (killedStarting) {
                    job = queue.poll();
                }
                if (!worker.wasReady() && job == null && !killedStarting) {
                    if (startupError == null) {
                        startupError = new IllegalStateException(startFailure(worker, status, stderr));
                    }
                    error = startupError;
                    failed = new ArrayList<>(queue);
                    queue.clear();
                } else {
                    failed = new ArrayList<>();
                    error = lease(failed); // the replacement starts now, so the pool stays warm
                }
            }
            releaseIfIdle();
        }
        if (job != null) {
            List<@Nullable Object> got;
            synchronized (this) {
                got = new ArrayList<>(job.received);
            }
            job.report(BatchResult.failure(job.batch, got, new Failures.WorkerLost(status), worker.name(), 0));
        }
        for (Job j : failed) {
            j.report(BatchResult.failure(j.batch, List.of(), failedWith(error), null, 0));
        }
        dispatch();
    }

    /** The error a lease failed with: jobs are listed as failed only together with it. */
    private static RuntimeException failedWith(@Nullable RuntimeException error) {
        return Objects.requireNonNull(error, "the error that failed the jobs");
    }

    /** Says what a worker that never connected was started with, what it printed and how to fix it. */
    private String startFailure(WorkerHandle worker, String status, @Nullable String stderr) {
        WorkerClassPath cp = pool.classPath();
        StringBuilder sb = new StringBuilder("a worker JVM (")
                .append(worker.name())
                .append(") exited with ")
                .append(status)
                .append(" before it connected back to this JVM; ");
        if (stderr == null || stderr.isEmpty()) {
            sb.append("it wrote nothing to its stderr.");
        } else {
            sb.append("its stderr ended with:\n    ").append(stderr.replace("\n", "\n    "));
        }
        List<String> command = new ArrayList<>(pool.command(0));
        String classPath = cp.classPath();
        if (classPath.length() > 0) {
            command.replaceAll(a -> a.equals(classPath) ? "<the class path below>" : a);
        }
        sb.append("\nIt was started as: ")
                .append(String.join(" ", command))
                .append("\nwith the ")
                .append(cp.describe())
                .append(".\nIf it could not find or load ")
                .append(io.joblib4j.internal.process.WorkerMain.class.getName())
                .append(" or a class of the application, give the workers the application's class path with ")
                .append("ProcessPool.builder().classPath(...), -D")
                .append(WorkerClassPath.PROPERTY)
                .append("=... or the ")
                .append("environment variable ")
                .append(WorkerClassPath.ENV)
                .append("; if it rejected an option, check ")
                .append("ProcessPool.builder().jvmOptions(...) (see docs/running.md).");
        return sb.toString();
    }

    /**
     * Removes a queued batch, or kills the worker running it; its listener is not called. Returns false if the
     * batch was neither queued nor running.
     */
    boolean cancel(Batch batch) {
        synchronized (this) {
            if (queue.removeIf(j -> j.batch == batch)) {
                releaseIfIdle();
                return true;
            }
            for (Map.Entry<WorkerHandle, Job> e : running.entrySet()) {
                if (e.getValue().batch == batch) {
                    e.getValue().reported.set(true);
                    e.getValue().cancelTimer();
                    e.getKey().kill();
                    return true;
                }
            }
        }
        return false;
    }

    /** Removes a queued batch; returns false if it is not queued (it may be running). */
    synchronized boolean drainOne(Batch batch) {
        boolean removed = queue.removeIf(j -> j.batch == batch);
        releaseIfIdle();
        return removed;
    }

    /** Drops the queued batches, returning them; running ones go on. */
    synchronized List<Batch> drainQueue() {
        List<Batch> drained = new ArrayList<>();
        for (Job j : queue) {
            drained.add(j.batch);
        }
        queue.clear();
        releaseIfIdle();
        return drained;
    }

    @Override
    public void abort() {
        synchronized (this) {
            queue.clear();
            for (Map.Entry<WorkerHandle, Job> e : running.entrySet()) {
                e.getValue().reported.set(true);
                e.getValue().cancelTimer();
                e.getKey().kill();
            }
            releaseIfIdle();
        }
    }

    /**
     * The call is over (its results are in, or it was aborted): its shared-array files are removed now, also when the
     * {@code Parallel} keeps these workers for further calls, and the workers forget their mappings of them.
     */
    @Override
    public void callEnded() {
        SharedArrays finished;
        long finishedCall;
        List<WorkerHandle> toldToForget;
        synchronized (this) {
            if (closed) {
                return;
            }
            startupError = null; // a failed start is the call's failure; the next call starts workers again
            finished = arrays;
            finishedCall = callId;
            if (!finished.sharedAny() && finished.folder() == null) {
                return;
            }
            toldToForget = new ArrayList<>(used);
            used.clear();
            arrays = SharedArrays.of(spec, pool.published());
            callId = CALLS.incrementAndGet();
        }
        for (WorkerHandle h : toldToForget) {
            h.forget(finishedCall);
        }
        finished.close();
    }

    @Override
    public void close() {
        List<WorkerHandle> release = new ArrayList<>();
        // Batches still queued or running when the workers are closed under a call (its Parallel closed from another
        // thread) fail, so that the call ends instead of waiting for them.
        List<Job> unfinished;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            unfinished = new ArrayList<>(queue);
            queue.clear();
            for (WorkerHandle h : workers) {
                Job job = running.get(h);
                if (job != null) {
                    job.cancelTimer();
                    unfinished.add(job);
                    h.kill();
                } else {
                    release.add(h);
                }
            }
            workers.clear();
            running.clear();
        }
        for (Job j : unfinished) {
            j.report(BatchResult.failure(
                    j.batch,
                    List.of(),
                    new java.util.concurrent.CancellationException(
                            "the workers were closed (the Parallel or its pool was closed) before this batch ended"),
                    null,
                    0));
        }
        for (WorkerHandle h : release) {
            pool.release(h);
        }
        List<WorkerHandle> toldToForget;
        synchronized (this) {
            toldToForget = arrays.sharedAny() ? new ArrayList<>(used) : List.of();
            used.clear();
        }
        for (WorkerHandle h : toldToForget) {
            h.forget(callId);
        }
        arrays.close();
    }
}
