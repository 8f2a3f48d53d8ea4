package io.joblib4j.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.joblib4j.SerializableRunnable;
import io.joblib4j.backend.Batch;
import io.joblib4j.backend.BatchResult;
import io.joblib4j.backend.Failures;
import io.joblib4j.backend.WorkerSpec;
import io.joblib4j.backend.Workers;
import io.joblib4j.process.ProcessPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * What a member keeps for the batches it runs: its slots, the class loader of the application's classes, the arrays
 * fetched for each running call, the initializers already run, and (with {@code --isolate processes}) a local pool
 * of worker JVMs. One per member instance, found through the instance's user context.
 */
final class MemberRuntime {
    static final String SETTINGS_KEY = "io.joblib4j.hazelcast.settings";
    private static final String RUNTIME_KEY = "io.joblib4j.hazelcast.runtime";

    /** How a member runs tasks. */
    record Settings(
            int slots,
            ClassLoader loader,
            boolean isolateProcesses,
            @Nullable String processClassPath) {}

    private final HazelcastInstance instance;
    private final Settings settings;
    private final String name;
    private final ExecutorService tasks;
    private final ScheduledExecutorService timer;
    private final Map<String, Map<String, Object>> arrays = new ConcurrentHashMap<>();
    private final Set<String> initialized = ConcurrentHashMap.newKeySet();
    private final AtomicLong arraysFetched = new AtomicLong();
    private final AtomicLong bytesFetched = new AtomicLong();
    private final AtomicLong batchesRun = new AtomicLong();
    private volatile @Nullable ProcessPool processes;
    private final Map<Long, Workers> processWorkers = new ConcurrentHashMap<>();

    private MemberRuntime(HazelcastInstance instance, Settings settings) {
        this.instance = instance;
        this.settings = settings;
        var address = instance.getCluster().getLocalMember().getAddress();
        this.name = "member " + address.getHost() + ":" + address.getPort();
        AtomicInteger n = new AtomicInteger();
        this.tasks = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "joblib4j-member-task-" + n.incrementAndGet());
            t.setDaemon(true);
            t.setContextClassLoader(settings.loader());
            return t;
        });
        ScheduledThreadPoolExecutor stpe = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "joblib4j-member-timeout");
            t.setDaemon(true);
            return t;
        });
        stpe.setRemoveOnCancelPolicy(true);
        this.timer = stpe;
    }

    static MemberRuntime of(HazelcastInstance instance) {
        Map<String, Object> context = instance.getUserContext();
        return (MemberRuntime) context.computeIfAbsent(RUNTIME_KEY, k -> {
            Settings s = (Settings) context.get(SETTINGS_KEY);
            if (s == null) {
                s = new Settings(
                        Runtime.getRuntime().availableProcessors(),
                        Thread.currentThread().getContextClassLoader(),
                        false,
                        null);
            }
            return new MemberRuntime(instance, s);
        });
    }

    /** Stops what this runtime started (the member is shutting down). */
    static void shutdown(HazelcastInstance instance) {
        Object r = instance.getUserContext().remove(RUNTIME_KEY);
        if (r instanceof MemberRuntime runtime) {
            runtime.tasks.shutdownNow();
            runtime.timer.shutdownNow();
            ProcessPool pool = runtime.processes;
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    String name() {
        return name;
    }

    long[] stats() {
        long cached = arrays.values().stream().mapToLong(Map::size).sum();
        return new long[] {arraysFetched.get(), bytesFetched.get(), batchesRun.get(), cached};
    }

    void dropCall(String callId) {
        arrays.remove(callId);
    }

    private Object array(String callId, Payload.ArrayRef ref) {
        Map<String, Object> forCall = arrays.computeIfAbsent(callId, k -> new ConcurrentHashMap<>());
        return forCall.computeIfAbsent(ref.hash(), hash -> {
            IMap<String, Object> map = instance.getMap(ClusterWorkers.ARRAYS_MAP_PREFIX + callId);
            Object array = map.get(hash);
            if (array == null) {
                throw new IllegalStateException("array " + hash + " of call " + callId
                        + " is no longer published (the call ended, or the member that held it left)");
            }
            arraysFetched.incrementAndGet();
            bytesFetched.addAndGet(ref.bytes());
            return array;
        });
    }

    Reply run(RunBatch run) throws Exception {
        batchesRun.incrementAndGet();
        Thread current = Thread.currentThread();
        ClassLoader previous = current.getContextClassLoader();
        current.setContextClassLoader(settings.loader());
        try {
            Batch batch = (Batch) Payload.read(run.payload, settings.loader(), ref -> array(run.callId, ref));
            if (run.initializer != null && initialized.add(run.workersId)) {
                SerializableRunnable init =
                        (SerializableRunnable) Payload.read(run.initializer, settings.loader(), ref -> {
                            throw new IllegalStateException("an initializer refers to no published array");
                        });
                init.run();
            }
            return settings.isolateProcesses() ? runInProcess(batch, run.timeoutNanos) : runOnThread(batch, run);
        } finally {
            current.setContextClassLoader(previous);
        }
    }

    private Reply runOnThread(Batch batch, RunBatch run) throws InterruptedException {
        if (run.timeoutNanos <= 0) {
            // No timeout to enforce: the batch runs on the executor's thread, which a cancel interrupts; handing it
            // to a thread of our own would cost two thread wake-ups per batch.
            BatchResult r = batch.runAll(name, null);
            if (Thread.interrupted()) {
                throw new InterruptedException("the batch was cancelled");
            }
            return new Reply(r.values(), r.failure(), name, r.nanos());
        }
        CompletableFuture<Reply> done = new CompletableFuture<>();
        Watch watch = run.timeoutNanos > 0 ? new Watch(run.timeoutNanos, done) : null;
        Future<?> running = tasks.submit(() -> {
            if (watch != null) {
                watch.thread = Thread.currentThread();
            }
            try {
                BatchResult r = batch.runAll(name, watch);
                done.complete(new Reply(r.values(), r.failure(), name, r.nanos()));
            } finally {
                if (watch != null) {
                    watch.close();
                }
            }
        });
        try {
            return done.get();
        } catch (InterruptedException e) {
            // The call was aborted or the batch cancelled: stop the task.
            running.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Per-task timeout of a batch on a thread: a timer per task, from the task's start. */
    private final class Watch implements Batch.TaskWatch {
        private final long timeoutNanos;
        private final CompletableFuture<Reply> done;
        volatile @Nullable Thread thread;
        private @Nullable ScheduledFuture<?> pending;
        private long start;
        private boolean closed;

        Watch(long timeoutNanos, CompletableFuture<Reply> done) {
            this.timeoutNanos = timeoutNanos;
            this.done = done;
        }

        @Override
        public synchronized void started(int indexInBatch, List<@Nullable Object> valuesSoFar) {
            start = System.nanoTime();
            List<@Nullable Object> values = new ArrayList<>(valuesSoFar);
            pending = timer.schedule(() -> fire(values), timeoutNanos, TimeUnit.NANOSECONDS);
        }

        private void fire(List<@Nullable Object> values) {
            @Nullable Thread t;
            synchronized (this) {
                if (closed || pending == null) {
                    return;
                }
                pending = null;
                t = thread;
            }
            done.complete(new Reply(
                    values, new Failures.Timeout(Duration.ofNanos(timeoutNanos)), name, System.nanoTime() - start));
            if (t != null) {
                t.interrupt();
            }
        }

        @Override
        public synchronized void finished(int indexInBatch) {
            ScheduledFuture<?> p = pending;
            if (p != null) {
                p.cancel(false);
                pending = null;
            }
        }

        synchronized void close() {
            closed = true;
            ScheduledFuture<?> p = pending;
            if (p != null) {
                p.cancel(false);
            }
            if (done.isDone()) {
                Thread.interrupted(); // an interrupt meant for a timed-out task must not reach the next batch
            }
        }
    }

    private Reply runInProcess(Batch batch, long timeoutNanos) throws InterruptedException {
        Workers workers = processWorkers.computeIfAbsent(timeoutNanos, t -> {
            ProcessPool pool = processPool();
            return pool.backend()
                    .open(WorkerSpec.builder(settings.slots())
                            .timeout(t > 0 ? Duration.ofNanos(t) : null)
                            .build());
        });
        CompletableFuture<BatchResult> done = new CompletableFuture<>();
        workers.submit(batch, done::complete);
        try {
            BatchResult r = done.get();
            return new Reply(r.values(), r.failure(), name + " (" + r.worker() + ")", r.nanos());
        } catch (InterruptedException e) {
            workers.abort();
            throw e;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private synchronized ProcessPool processPool() {
        ProcessPool pool = processes;
        if (pool == null) {
            ProcessPool.Builder b = ProcessPool.builder().workers(settings.slots());
            String classPath = settings.processClassPath();
            if (classPath != null) {
                b.classPath(classPath);
            }
            pool = b.build();
            processes = pool;
        }
        return pool;
    }
}
