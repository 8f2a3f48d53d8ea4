package io.joblib4j.hazelcast;

import com.hazelcast.client.HazelcastClientNotActiveException;
import com.hazelcast.client.HazelcastClientOfflineException;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.spi.exception.TargetDisconnectedException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import io.joblib4j.Joblib;
import io.joblib4j.backend.Batch;
import io.joblib4j.backend.BatchListener;
import io.joblib4j.backend.BatchResult;
import io.joblib4j.backend.Failures;
import io.joblib4j.backend.WorkerSpec;
import io.joblib4j.backend.Workers;
import io.joblib4j.parallel.ArraySharing;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The cluster's workers for one {@code Parallel}: a queue of batches, dispatched to the member with the most free
 * slots (never more batches on a member than its slots, never more than {@code nJobs} in all) with
 * {@link IExecutorService#submitToMember}. Every batch keeps its first result; a member that leaves has its batches
 * re-queued at once (each batch survives {@link #LOSS_BUDGET} member losses, apart from {@code retries}), a member
 * that joins gets work, and when no member is left the queued batches fail at once, naming the members lost.
 */
final class ClusterWorkers implements Workers {
    static final String ARRAYS_MAP_PREFIX = "joblib4j.arrays.";
    /** How many member losses a batch survives before it is reported lost to {@code Parallel} (and its retries). */
    static final int LOSS_BUDGET = 5;

    private final HazelcastBackend backend;
    private final HazelcastInstance hz;
    private final IExecutorService executor;
    private final WorkerSpec spec;
    private final String workersId = UUID.randomUUID().toString();
    private final byte @Nullable [] initializer;
    private final UUID membershipRegistration;
    private final UUID lifecycleRegistration;

    private final Object lock = new Object();
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private final Map<UUID, Slot> members = new LinkedHashMap<>();
    private final Set<String> lost = new LinkedHashSet<>();
    private int inFlight;
    private boolean closed;

    private volatile String callId = UUID.randomUUID().toString();
    /** The arrays published for the current call; guarded by itself (batches are serialized outside {@link #lock}). */
    private final IdentityHashMap<Object, Payload.ArrayRef> published = new IdentityHashMap<>();

    private final AtomicLong payloadBytes = new AtomicLong();
    private final @Nullable Long maxNbytes;
    /**
     * Runs the completion callbacks of submitted batches (and the dispatch of the next ones they trigger). Without an
     * executor of its own, Hazelcast runs them on its default asynchronous executor, which on a machine with fewer
     * than 3 CPUs starts a new thread for every callback.
     */
    private final ThreadPoolExecutor completions;

    /** A batch and its listener, until its first result. */
    private static final class Job {
        final Batch batch;
        final BatchListener listener;
        Batch toSend;
        int losses;
        boolean done;

        @Nullable
        Attempt current;

        /** The serialized {@link #toSend}, made before the job is queued; null once it must be made again. */
        byte @Nullable [] payload;

        Job(Batch batch, BatchListener listener) {
            this.batch = batch;
            this.listener = listener;
            this.toSend = batch;
        }
    }

    /** One run of a job on one member; compared by identity (each run is a distinct attempt). */
    private static final class Attempt {
        private final Job job;
        private final Slot slot;
        private final Future<Reply> future;

        Attempt(Job job, Slot slot, Future<Reply> future) {
            this.job = job;
            this.slot = slot;
            this.future = future;
        }

        Job job() {
            return job;
        }

        Slot slot() {
            return slot;
        }

        Future<Reply> future() {
            return future;
        }
    }

    /** A member and the attempts it holds. */
    private static final class Slot {
        final Member member;
        final int slots;
        final Set<Attempt> running = new LinkedHashSet<>();

        Slot(Member member) {
            this.member = member;
            this.slots = HazelcastBackend.slotsOf(member);
        }

        int free() {
            return slots - running.size();
        }
    }

    ClusterWorkers(HazelcastBackend backend, HazelcastInstance hz, WorkerSpec spec) {
        this.backend = backend;
        this.hz = hz;
        this.spec = spec;
        this.executor = hz.getExecutorService(HazelcastBackend.EXECUTOR);
        this.initializer = spec.initializer() == null ? null : Payload.write(spec.initializer(), null, null);
        java.util.OptionalLong max =
                spec.option(ArraySharing.class).orElse(ArraySharing.defaults()).maxNbytes();
        this.maxNbytes = max.isPresent() ? max.getAsLong() : null;
        this.completions = new ThreadPoolExecutor(
                1,
                1,
                10,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "joblib4j-cluster-completions");
                    t.setDaemon(true);
                    return t;
                },
                // After close, late replies are dropped anyway.
                new ThreadPoolExecutor.DiscardPolicy());
        completions.allowCoreThreadTimeOut(true);
        synchronized (lock) {
            for (Member m : hz.getCluster().getMembers()) {
                if (!m.isLiteMember()) {
                    members.put(m.getUuid(), new Slot(m));
                }
            }
        }
        this.membershipRegistration = hz.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                added(event.getMember());
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                removed(event.getMember().getUuid(), "left the cluster");
            }
        });
        this.lifecycleRegistration = hz.getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == LifecycleEvent.LifecycleState.CLIENT_DISCONNECTED
                    || event.getState() == LifecycleEvent.LifecycleState.SHUTTING_DOWN) {
                List<UUID> all;
                synchronized (lock) {
                    all = new ArrayList<>(members.keySet());
                }
                for (UUID uuid : all) {
                    removed(uuid, "unreachable (" + event.getState() + ")");
                }
            } else if (event.getState() == LifecycleEvent.LifecycleState.CLIENT_CONNECTED) {
                for (Member m : hz.getCluster().getMembers()) {
                    added(m);
                }
            }
        });
    }

    @Override
    public int size() {
        return spec.nJobs();
    }

    /** Bytes of serialized batches sent so far (without the published arrays). */
    long payloadBytes() {
        return payloadBytes.get();
    }

    @Override
    public void submit(Batch batch, BatchListener listener) {
        Job job = new Job(batch, listener);
        try {
            // Serialized here, in the caller's thread, while the completions thread dispatches other batches.
            job.payload = serialize(batch);
        } catch (RuntimeException e) {
            listener.done(BatchResult.failure(batch, List.of(), e, "hazelcast", 0));
            return;
        }
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the cluster workers are closed");
            }
            queue.add(job);
        }
        dispatch();
    }

    private void added(Member m) {
        if (m.isLiteMember()) {
            return;
        }
        synchronized (lock) {
            members.putIfAbsent(m.getUuid(), new Slot(m));
        }
        dispatch();
    }

    /** A member is gone: its attempts are re-queued at the front, at once. */
    private void removed(UUID uuid, String why) {
        List<Attempt> orphans;
        synchronized (lock) {
            Slot slot = members.remove(uuid);
            if (slot == null) {
                return;
            }
            lost.add(HazelcastBackend.describe(slot.member) + " " + why);
            orphans = new ArrayList<>(slot.running);
            slot.running.clear();
            inFlight -= orphans.size();
            for (int i = orphans.size() - 1; i >= 0; i--) {
                requeue(orphans.get(i).job());
            }
        }
        for (Attempt a : orphans) {
            cancel(a, false);
        }
        dispatch();
    }

    /** Under the lock: the job's current attempt was lost; run it again, or report it lost past the budget. */
    private void requeue(Job job) {
        if (job.done) {
            return;
        }
        job.current = null;
        job.losses++;
        job.toSend = job.toSend.withAttempt(job.toSend.attempt() + 1);
        job.payload = null;
        queue.addFirst(job);
    }

    private void dispatch() {
        List<Runnable> reports = new ArrayList<>();
        synchronized (lock) {
            while (!queue.isEmpty() && inFlight < spec.nJobs() && !closed) {
                Job job = queue.peekFirst();
                if (job.done) {
                    queue.pollFirst();
                    continue;
                }
                if (job.losses > LOSS_BUDGET) {
                    queue.pollFirst();
                    job.done = true;
                    reports.add(() -> job.listener.done(BatchResult.failure(
                            job.batch,
                            List.of(),
                            new Failures.WorkerLost("lost with " + job.losses + " members in turn: " + lost),
                            "hazelcast",
                            0)));
                    continue;
                }
                if (members.isEmpty()) {
                    break;
                }
                Slot best = null;
                for (Slot s : members.values()) {
                    if (s.free() > 0 && (best == null || s.free() > best.free())) {
                        best = s;
                    }
                }
                if (best == null) {
                    break;
                }
                queue.pollFirst();
                start(job, best, reports);
            }
            if (members.isEmpty() && !queue.isEmpty()) {
                String message = "no cluster member left to run the batch"
                        + (lost.isEmpty() ? " (the cluster has no data member)" : "; members lost: " + lost);
                for (Job job : queue) {
                    if (!job.done) {
                        job.done = true;
                        reports.add(() -> job.listener.done(BatchResult.failure(
                                job.batch, List.of(), new Failures.WorkerLost(message), "hazelcast", 0)));
                    }
                }
                queue.clear();
            }
        }
        reports.forEach(Runnable::run);
    }

    /** Under the lock: sends the job to the member. */
    private void start(Job job, Slot slot, List<Runnable> reports) {
        byte[] payload = job.payload;
        try {
            if (payload == null) {
                payload = serialize(job.toSend); // a re-run after a member loss: rare
                job.payload = payload;
            }
        } catch (RuntimeException e) {
            job.done = true;
            reports.add(() -> job.listener.done(BatchResult.failure(job.batch, List.of(), e, "hazelcast", 0)));
            return;
        }
        payloadBytes.addAndGet(payload.length);
        long timeout = spec.timeout() == null ? 0 : spec.timeout().toNanos();
        RunBatch run = new RunBatch(callId, workersId, payload, initializer, timeout);
        Future<Reply> future;
        try {
            future = executor.submitToMember(run, slot.member);
        } catch (RuntimeException e) {
            if (isMemberLoss(e)) {
                members.remove(slot.member.getUuid());
                lost.add(HazelcastBackend.describe(slot.member) + " unreachable");
                for (Attempt a : slot.running) {
                    requeue(a.job());
                }
                inFlight -= slot.running.size();
                slot.running.clear();
                job.current = null;
                queue.addFirst(job);
                return;
            }
            job.done = true;
            reports.add(() -> job.listener.done(BatchResult.failure(job.batch, List.of(), e, "hazelcast", 0)));
            return;
        }
        Attempt attempt = new Attempt(job, slot, future);
        job.current = attempt;
        slot.running.add(attempt);
        inFlight++;
        if (future instanceof CompletionStage<?> stage) {
            stage.whenCompleteAsync(
                    (reply, error) -> {
                        try {
                            if (reply instanceof Reply r) {
                                completed(attempt, r, error);
                            } else {
                                completed(
                                        attempt,
                                        null,
                                        error != null
                                                ? error
                                                : reply instanceof Throwable t
                                                        ? t
                                                        : new IllegalStateException("a member replied " + reply));
                            }
                        } catch (RuntimeException | Error e) {
                            failUnexpectedly(attempt, e);
                        }
                    },
                    completions);
        } else {
            throw new IllegalStateException("Hazelcast returned a future that is not a CompletionStage: " + future);
        }
    }

    private byte[] serialize(Batch batch) {
        return Payload.write(batch, maxNbytes, this::publish);
    }

    private Payload.ArrayRef publish(Object array, long bytes) {
        synchronized (published) {
            Payload.ArrayRef ref = published.get(array);
            if (ref == null) {
                String hash = Joblib.hash(array);
                ref = new Payload.ArrayRef(hash, bytes);
                hz.getMap(ARRAYS_MAP_PREFIX + callId).set(hash, array);
                published.put(array, ref);
            }
            return ref;
        }
    }

    private static boolean isMemberLoss(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MemberLeftException
                    || t instanceof TargetNotMemberException
                    || t instanceof TargetDisconnectedException
                    || t instanceof HazelcastInstanceNotActiveException
                    || t instanceof HazelcastClientNotActiveException
                    || t instanceof HazelcastClientOfflineException) {
                return true;
            }
            if (t == t.getCause()) {
                break;
            }
        }
        return false;
    }

    private void completed(Attempt attempt, @Nullable Reply reply, @Nullable Throwable error) {
        Job job = attempt.job();
        Throwable cause = error instanceof ExecutionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        @Nullable BatchResult result = null;
        synchronized (lock) {
            if (attempt.slot().running.remove(attempt)) {
                inFlight--;
            }
            if (job.done) {
                // A late or duplicate result: the batch already has its first one, or the call was aborted.
            } else if (cause instanceof java.util.concurrent.CancellationException) {
                if (job.current == attempt) {
                    // Cancelled by a member loss that re-queued it, or by abort: nothing to report.
                }
            } else if (cause != null && isMemberLoss(cause)) {
                if (job.current == attempt) {
                    Slot slot = members.remove(attempt.slot().member.getUuid());
                    if (slot != null) {
                        lost.add(HazelcastBackend.describe(slot.member) + " unreachable");
                        for (Attempt a : slot.running) {
                            if (a != attempt) {
                                requeue(a.job());
                            }
                        }
                        inFlight -= slot.running.size();
                        slot.running.clear();
                    }
                    requeue(job);
                }
            } else {
                job.done = true;
                if (cause != null) {
                    Throwable reported = cause instanceof RejectedExecutionException
                            ? new Failures.WorkerLost("member refused the batch: " + cause.getMessage())
                            : cause;
                    result = BatchResult.failure(
                            job.batch, List.of(), reported, HazelcastBackend.describe(attempt.slot().member), 0);
                } else {
                    Reply r = java.util.Objects.requireNonNull(reply, "a member's reply when there is no error");
                    Throwable failure = r.failure();
                    if (failure == null && r.values().size() == job.batch.size()) {
                        result = BatchResult.success(job.batch, r.values(), r.worker(), r.nanos());
                    } else {
                        Throwable f = failure != null
                                ? failure
                                : new IllegalStateException("member returned "
                                        + r.values().size() + " values for " + job.batch.size() + " tasks");
                        result = BatchResult.failure(job.batch, r.values(), f, r.worker(), r.nanos());
                    }
                }
            }
        }
        if (result != null) {
            job.listener.done(result);
        }
        dispatch();
    }

    /** A bug in the bookkeeping must not leave the call waiting: the batch fails with it. */
    private void failUnexpectedly(Attempt attempt, Throwable e) {
        Job job = attempt.job();
        synchronized (lock) {
            if (job.done) {
                return;
            }
            job.done = true;
        }
        job.listener.done(BatchResult.failure(job.batch, List.of(), e, "hazelcast", 0));
    }

    @Override
    public void abort() {
        List<Attempt> running = new ArrayList<>();
        synchronized (lock) {
            for (Job job : queue) {
                job.done = true;
            }
            queue.clear();
            for (Slot s : members.values()) {
                for (Attempt a : s.running) {
                    a.job().done = true;
                    running.add(a);
                }
                s.running.clear();
            }
            inFlight = 0;
        }
        for (Attempt a : running) {
            cancel(a, true);
        }
    }

    /**
     * Cancels an attempt on its member without waiting: a client's cancel is a request to the member, which waits
     * for the member's answer (up to the invocation timeout when the member is gone).
     */
    private static void cancel(Attempt a, boolean interrupt) {
        CANCELLER.execute(() -> {
            try {
                a.future().cancel(interrupt);
            } catch (RuntimeException e) {
                // The member is gone or the client is shut down: nothing runs there any more.
            }
        });
    }

    private static final java.util.concurrent.ExecutorService CANCELLER =
            java.util.concurrent.Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "joblib4j-cluster-cancel");
                t.setDaemon(true);
                return t;
            });

    @Override
    public void callEnded() {
        String ended;
        boolean hadArrays;
        synchronized (published) {
            ended = callId;
            hadArrays = !published.isEmpty();
            published.clear();
            callId = UUID.randomUUID().toString();
        }
        if (hadArrays && hz.getLifecycleService().isRunning()) {
            try {
                hz.getMap(ARRAYS_MAP_PREFIX + ended).destroy();
                executor.executeOnAllMembers(new DropCall(ended));
            } catch (RuntimeException e) {
                // The cluster is gone: nothing is left to drop.
            }
        }
    }

    @Override
    public void close() {
        // Batches still queued or running when the workers are closed under a call (its Parallel closed from another
        // thread) fail, so that the call ends instead of waiting for them; abort() alone drops them unreported.
        List<Job> unfinished = new ArrayList<>();
        synchronized (lock) {
            if (closed) {
                return;
            }
            for (Job job : queue) {
                if (!job.done) {
                    job.done = true; // reported below, and by nothing else
                    unfinished.add(job);
                }
            }
            for (Slot s : members.values()) {
                for (Attempt a : s.running) {
                    if (!a.job().done) {
                        a.job().done = true;
                        unfinished.add(a.job());
                    }
                }
            }
        }
        abort(); // cancels the running attempts
        for (Job job : unfinished) {
            job.listener.done(BatchResult.failure(
                    job.batch,
                    List.of(),
                    new java.util.concurrent.CancellationException(
                            "the cluster workers were closed (the Parallel was closed) before this batch ended"),
                    "hazelcast",
                    0));
        }
        callEnded();
        synchronized (lock) {
            closed = true;
        }
        completions.shutdown();
        try {
            hz.getCluster().removeMembershipListener(membershipRegistration);
            hz.getLifecycleService().removeLifecycleListener(lifecycleRegistration);
        } catch (RuntimeException e) {
            // The instance is shut down already.
        }
        backend.closed(this);
    }
}
