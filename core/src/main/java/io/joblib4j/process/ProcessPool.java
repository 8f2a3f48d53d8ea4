package io.joblib4j.process;

import io.joblib4j.SerializableFunction1;
import io.joblib4j.SerializableRunnable;
import io.joblib4j.SerializableSupplier;
import io.joblib4j.Task;
import io.joblib4j.array.MmapMode;
import io.joblib4j.backend.Backend;
import io.joblib4j.backend.Batch;
import io.joblib4j.backend.BatchResult;
import io.joblib4j.backend.Failures;
import io.joblib4j.backend.WorkerSpec;
import io.joblib4j.parallel.ArraySharing;
import io.joblib4j.parallel.Parallel;
import io.joblib4j.parallel.ParallelConfig;
import io.joblib4j.parallel.TaskFailure;
import io.joblib4j.parallel.TaskTimeoutException;
import io.joblib4j.parallel.WorkerCrashedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A pool of worker JVMs: the engine of the {@code processes} backend, also usable directly as a
 * {@link java.util.concurrent.ExecutorService}.
 *
 * <p>Workers are started with this JVM's own {@code java} launcher and the application's class path (or module
 * path), found as {@link Builder#classPath(String)} says, plus the pool's {@linkplain Builder#jvmOptions(String...) JVM
 * options} and {@linkplain Builder#environment(String, String)
 * environment}; they stay warm between calls and exit after the {@linkplain Builder#idleTimeout(Duration) idle
 * timeout} (300 s by default), and at once when this JVM dies, however it dies. Tasks and results travel serialized
 * over a private socket (never the workers' stdout, which, like their stderr, is copied to this JVM's
 * {@code System.out} and {@code System.err}). Primitive arrays and {@code NdArray}s larger than
 * {@linkplain Builder#maxNbytes(Long) maxNbytes} (1 MiB by default) that a task holds are written once per call to a
 * temp folder (0700, files 0600, removed when the call ends) instead of travelling through the socket: workers map
 * {@code NdArray}s (no copy) and read primitive arrays onto their heap once per call; an {@code NdArray} already
 * mapped from a file is passed as a reference to that file.
 *
 * <p>A worker that dies (exit, halt, signal, out of memory, a crash in native code) fails its task with
 * {@link WorkerCrashedException} naming the exit code or signal, and is replaced. A task that runs past the
 * {@linkplain Builder#timeout(Duration) timeout} has its worker killed and fails with {@link TaskTimeoutException}.
 * {@code cancel(true)} on a running task's future kills its worker too: unlike a thread, a process can always be
 * stopped.
 *
 * <pre>{@code
 * try (ProcessPool pool = ProcessPool.builder().workers(2).jvmOptions("-Xmx512m").build()) {
 *     Future<Integer> f = pool.submit((Task<Integer>) () -> 6 * 7);
 *     f.get();   // 42
 * }
 * }</pre>
 *
 * <p>Tasks given to {@link #submit(Callable)}, {@link #execute(Runnable)} and the {@code invoke} methods must be
 * serializable (a {@link Task}, or a serializable lambda); a task that is not fails its future with a
 * {@link java.io.NotSerializableException} naming the class. {@link #shared()} is the pool that
 * {@code Parallel.builder().backend("processes")} uses.
 */
public final class ProcessPool extends AbstractExecutorService {
    private static final class SharedHolder {
        static final ProcessPool SHARED = new ProcessPool(new Builder(), false);
    }

    private final WorkerPool pool;
    private final boolean owned;
    private final Backend backend;
    private final WorkerSpec spec;
    private final Object lock = new Object();
    private final Map<RemoteFuture<?>, Boolean> outstanding = new LinkedHashMap<>();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private @Nullable CallWorkers lease;
    private java.util.concurrent.@Nullable ExecutorService submitter;
    private long sequence;
    private boolean shutdown;

    private ProcessPool(Builder b, boolean owned) {
        this.pool = new WorkerPool(new PoolConfig(
                b.jvmOptions, b.environment, b.idleTimeout, b.maxTasksPerWorker, b.heapGrowthLimit, b.classPath));
        this.owned = owned;
        this.backend = new ProcessBackend(pool, b.initializer);
        this.spec = WorkerSpec.builder(b.workers)
                .timeout(b.timeout)
                .initializer(b.initializer)
                .option(
                        ArraySharing.class,
                        ArraySharing.of(b.tempFolder, b.maxNbytes == null ? -1 : b.maxNbytes, MmapMode.READ_ONLY))
                .build();
    }

    /**
     * The JVM-wide pool behind the {@code "processes"} backend, with default settings. Its workers are shared by
     * every call that names that backend and exit after 300 s idle; it cannot be shut down.
     */
    public static ProcessPool shared() {
        return SharedHolder.SHARED;
    }

    /** A builder for a pool of its own, with its own workers and settings. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A backend running {@code Parallel} calls on this pool's workers, with this pool's JVM options and environment:
     * {@code Parallel.builder().backend(pool.backend())}. Each call leases as many workers as it has jobs.
     */
    public Backend backend() {
        return backend;
    }

    /** How many tasks submitted to this pool as an {@code ExecutorService} run at once. */
    public int workers() {
        return spec.nJobs();
    }

    /** The process ids of this pool's worker JVMs alive now, idle or busy. */
    public List<Long> workerPids() {
        return pool.pids();
    }

    // ---------------------------------------------------------------- Python's multiprocessing.Pool

    /**
     * {@code f} applied to every item, in the pool's workers: Python's {@code Pool.map}. The items are consumed at
     * once; the results come in input order. Items travel in chunks of about {@code n / (4 * workers())} (Python's
     * default chunk size) for a collection of {@code n}, else in chunks sized as {@code Parallel} sizes batches. The
     * first failure (in input order) is thrown, as {@code Parallel.map} throws it.
     */
    public <T, R> List<R> map(SerializableFunction1<T, R> f, Iterable<T> items) {
        return parallel(defaultChunksize(items)).map(f, items);
    }

    /**
     * {@code f} applied to every item, {@code chunksize} items per message to a worker.
     *
     * @throws IllegalArgumentException if {@code chunksize < 1}
     */
    public <T, R> List<R> map(SerializableFunction1<T, R> f, Iterable<T> items, int chunksize) {
        return parallel(checkChunksize(chunksize)).map(f, items);
    }

    /**
     * {@code f} applied to every item, lazily, in input order: Python's {@code Pool.imap} (chunks of one item).
     * Results are computed ahead of the consumer by at most twice the number of workers; closing the stream early
     * cancels the rest.
     */
    public <T, R> Stream<R> imap(SerializableFunction1<T, R> f, Iterable<T> items) {
        return imap(f, items, 1);
    }

    /** {@link #imap(SerializableFunction1, Iterable)} with {@code chunksize} items per message to a worker. */
    public <T, R> Stream<R> imap(SerializableFunction1<T, R> f, Iterable<T> items, int chunksize) {
        return parallel(checkChunksize(chunksize)).stream(f, items);
    }

    /** {@code f} applied to every item, lazily, in completion order: Python's {@code Pool.imap_unordered}. */
    public <T, R> Stream<R> imapUnordered(SerializableFunction1<T, R> f, Iterable<T> items) {
        return imapUnordered(f, items, 1);
    }

    /** {@link #imapUnordered(SerializableFunction1, Iterable)} with {@code chunksize} items per message. */
    public <T, R> Stream<R> imapUnordered(SerializableFunction1<T, R> f, Iterable<T> items, int chunksize) {
        return parallel(checkChunksize(chunksize)).streamUnordered(f, items);
    }

    /**
     * Runs {@code f} in a worker: Python's {@code Pool.apply_async}. The future completes with its value or its
     * exception; {@code cancel(true)} kills the worker if it is running.
     */
    public <R> CompletableFuture<R> applyAsync(SerializableSupplier<R> f) {
        Objects.requireNonNull(f, "f");
        return submit((Task<R>) f::get);
    }

    /** Runs {@code f(arg)} in a worker: Python's {@code Pool.apply_async(f, (arg,))}. */
    public <T, R> CompletableFuture<R> applyAsync(SerializableFunction1<T, R> f, T arg) {
        Objects.requireNonNull(f, "f");
        return submit(io.joblib4j.Joblib.delayed(f, arg));
    }

    /**
     * Runs {@code task} in a worker. This overload makes a lambda given to {@code submit} serializable, so
     * {@code pool.submit(() -> f(7))} works as written.
     */
    public <T> CompletableFuture<T> submit(Task<T> task) {
        return (CompletableFuture<T>) super.submit(task);
    }

    /** Runs {@code task} in a worker; the future completes with null. See {@link #submit(Task)}. */
    public CompletableFuture<?> submit(SerializableRunnable task) {
        return (CompletableFuture<?>) super.submit(task);
    }

    private int defaultChunksize(Iterable<?> items) {
        if (items instanceof Collection<?> c) {
            int n = c.size();
            int chunks = 4 * workers();
            return Math.max(1, (n + chunks - 1) / chunks);
        }
        return 0;
    }

    private static int checkChunksize(int chunksize) {
        if (chunksize < 1) {
            throw new IllegalArgumentException("chunksize " + chunksize + " must be at least 1");
        }
        return chunksize;
    }

    /** A Parallel on this pool's backend with its workers and timeout; chunksize 0: batches sized automatically. */
    private Parallel parallel(int chunksize) {
        Parallel.Builder b = Parallel.builder().backend(backend).nJobs(workers());
        if (chunksize > 0) {
            b.batchSize(chunksize);
        }
        if (spec.timeout() != null) {
            b.timeout(spec.timeout());
        }
        // the pool's own sharing settings, as for submit
        ArraySharing sharing = spec.option(ArraySharing.class).orElse(ArraySharing.defaults());
        b.maxNbytes(
                sharing.maxNbytes().isPresent()
                        ? Long.toString(sharing.maxNbytes().getAsLong())
                        : null);
        sharing.tempFolder().ifPresent(b::tempFolder);
        return b.build();
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Callable<T> callable) {
        return new RemoteFuture<>(asTask(callable));
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Runnable runnable, T value) {
        return new RemoteFuture<>(asTask(runnable, value));
    }

    @SuppressWarnings("unchecked")
    private static <T> Task<T> asTask(Callable<T> callable) {
        Objects.requireNonNull(callable, "task");
        if (callable instanceof Task<?> t) {
            return (Task<T>) t;
        }
        return new CallableTask<>(callable);
    }

    private static <T> Task<T> asTask(Runnable runnable, @Nullable T value) {
        Objects.requireNonNull(runnable, "task");
        return new RunnableTask<>(runnable, value);
    }

    /**
     * Runs {@code command} in a worker; it must be serializable (or a future made by this pool). As with
     * {@link java.util.concurrent.ThreadPoolExecutor}, a failure of a plain {@code Runnable}, which has no future to
     * carry it, goes to the default uncaught exception handler (or is printed to {@code System.err}).
     */
    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        if (command instanceof RemoteFuture<?> f && f.pool() == this) {
            dispatch(f);
            return;
        }
        RemoteFuture<?> future = new RemoteFuture<>(asTask(command, null));
        // the reporting stage only reports; it cannot fail in a way someone would wait for
        var _ = future.whenComplete((v, e) -> {
            if (e != null && !(e instanceof java.util.concurrent.CancellationException)) {
                Thread.UncaughtExceptionHandler h = Thread.getDefaultUncaughtExceptionHandler();
                if (h != null) {
                    h.uncaughtException(Thread.currentThread(), e);
                } else {
                    System.err.println("joblib4j: a task run with ProcessPool.execute failed:");
                    e.printStackTrace();
                }
            }
        });
        dispatch(future);
    }

    private void dispatch(RemoteFuture<?> future) {
        synchronized (lock) {
            if (shutdown) {
                throw new RejectedExecutionException("this process pool has been shut down");
            }
            if (lease == null) {
                lease = new CallWorkers(pool, spec);
            }
            outstanding.put(future, Boolean.TRUE);
            Batch batch = Batch.ofTasks(
                    sequence++,
                    new Task<?>[] {future.task},
                    ParallelConfig.currentContext().portable());
            future.batch = batch;
            future.lease = lease;
            CallWorkers l = lease;
            // Queued at once: the task is serialized and sent in the pool's own thread, in submission order, so a
            // caller submitting tasks that capture a large object does not wait for each to be serialized.
            submitter().execute(() -> {
                if (future.isDone()) {
                    return; // cancelled while queued
                }
                try {
                    l.submit(batch, result -> complete(future, result));
                } catch (RuntimeException e) {
                    future.completeExceptionally(e);
                    finished(future);
                }
            });
        }
    }

    /** The thread that serializes and sends submitted tasks, started at the first submit. Called holding lock. */
    private java.util.concurrent.ExecutorService submitter() {
        if (submitter == null) {
            submitter = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "joblib4j-pool-submit");
                t.setDaemon(true);
                return t;
            });
        }
        return submitter;
    }

    private void complete(RemoteFuture<?> future, BatchResult result) {
        if (result.succeeded()) {
            future.succeed(result.values().getFirst());
        } else {
            Throwable failure = Objects.requireNonNull(result.failure(), "failure of a failed batch");
            TaskFailure where =
                    new TaskFailure(result.failedIndex(), future.task.describe(), "processes", result.worker());
            if (failure instanceof Failures.Timeout t) {
                failure = new TaskTimeoutException(where, t.timeout());
            } else if (failure instanceof Failures.WorkerLost lost) {
                failure = new WorkerCrashedException(where, lost.exitStatus());
            } else {
                io.joblib4j.internal.Suppressed.addCapped(failure, where);
            }
            future.completeExceptionally(failure);
        }
        finished(future);
    }

    private void finished(RemoteFuture<?> future) {
        synchronized (lock) {
            if (outstanding.remove(future) == null) {
                return;
            }
            if (outstanding.isEmpty()) {
                if (lease != null) {
                    lease.close(); // idle workers go back to the pool, where the idle timeout applies
                    lease = null;
                }
                if (shutdown) {
                    terminate();
                }
            }
        }
    }

    private void terminate() {
        if (submitter != null) {
            submitter.shutdown();
        }
        if (lease != null) {
            lease.close();
            lease = null;
        }
        if (owned) {
            pool.shutdown();
        }
        terminated.countDown();
    }

    /**
     * Accepts no new tasks; those submitted run to completion, then the workers exit.
     *
     * @throws UnsupportedOperationException on the {@linkplain #shared() shared} pool
     */
    @Override
    public void shutdown() {
        checkOwned();
        synchronized (lock) {
            shutdown = true;
            if (outstanding.isEmpty() && terminated.getCount() > 0) {
                terminate();
            }
        }
    }

    /**
     * Accepts no new tasks, kills the workers running tasks (their futures are cancelled) and returns the tasks that
     * never started.
     *
     * @throws UnsupportedOperationException on the {@linkplain #shared() shared} pool
     */
    @Override
    public List<Runnable> shutdownNow() {
        checkOwned();
        List<Runnable> neverStarted = new ArrayList<>();
        List<RemoteFuture<?>> all;
        synchronized (lock) {
            shutdown = true;
            all = new ArrayList<>(outstanding.keySet());
            if (lease != null) {
                List<Batch> queued = lease.drainQueue();
                for (RemoteFuture<?> f : all) {
                    if (queued.contains(f.batch)) {
                        neverStarted.add(f);
                    }
                }
                lease.abort();
            }
        }
        for (RemoteFuture<?> f : all) {
            f.cancel(false);
        }
        synchronized (lock) {
            outstanding.clear();
            if (terminated.getCount() > 0) {
                terminate();
            }
        }
        return neverStarted;
    }

    private void checkOwned() {
        if (!owned) {
            throw new UnsupportedOperationException(
                    "the shared process pool cannot be shut down; its workers exit after the idle timeout");
        }
    }

    @Override
    public boolean isShutdown() {
        synchronized (lock) {
            return shutdown;
        }
    }

    @Override
    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return invokeAny(tasks, false, 0);
        } catch (TimeoutException e) {
            throw new AssertionError("no timeout was set", e);
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        return invokeAny(tasks, true, unit.toNanos(timeout));
    }

    private <T> T invokeAny(Collection<? extends Callable<T>> tasks, boolean timed, long nanos)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("invokeAny needs at least one task");
        }
        long deadline = System.nanoTime() + nanos;
        LinkedBlockingQueue<CompletableFuture<T>> completed = new LinkedBlockingQueue<>();
        List<RemoteFuture<T>> futures = new ArrayList<>();
        try {
            for (Callable<T> c : tasks) {
                RemoteFuture<T> f = new RemoteFuture<>(asTask(c));
                futures.add(f);
                var _ = f.whenComplete((v, e) -> completed.add(f)); // completion order; failures are read from f
                execute(f);
            }
            ExecutionException last = null;
            for (int i = 0; i < futures.size(); i++) {
                CompletableFuture<T> f =
                        timed ? completed.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS) : completed.take();
                if (f == null) {
                    throw new TimeoutException("no task of invokeAny completed within the timeout");
                }
                try {
                    return f.get();
                } catch (ExecutionException e) {
                    last = e;
                } catch (java.util.concurrent.CancellationException e) {
                    last = new ExecutionException(e);
                }
            }
            throw last;
        } finally {
            for (RemoteFuture<T> f : futures) {
                f.cancel(true);
            }
        }
    }

    /** A task of this pool: completed from the worker's answer; {@code cancel(true)} kills a running task's worker. */
    private final class RemoteFuture<T> extends CompletableFuture<T> implements RunnableFuture<T> {
        final Task<T> task;
        volatile @Nullable Batch batch;
        volatile @Nullable CallWorkers lease;

        RemoteFuture(Task<T> task) {
            this.task = task;
        }

        ProcessPool pool() {
            return ProcessPool.this;
        }

        @Override
        public void run() {
            dispatch(this);
        }

        @SuppressWarnings("unchecked")
        void succeed(Object value) {
            complete((T) value);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                CallWorkers l = lease;
                Batch b = batch;
                if (l != null && b != null) {
                    if (mayInterruptIfRunning) {
                        l.cancel(b);
                    } else {
                        l.drainOne(b);
                    }
                }
                finished(this);
            }
            return cancelled;
        }
    }

    private record CallableTask<T>(Callable<T> callable) implements Task<T> {
        @Override
        public T call() throws Exception {
            return callable.call();
        }

        @Override
        public String describe() {
            return io.joblib4j.internal.Describe.callable(callable);
        }
    }

    private record RunnableTask<T>(
            Runnable runnable, @Nullable T value) implements Task<T> {
        // NullAway: submit(Runnable) has a null result, as ExecutorService's has; T stands for it
        @SuppressWarnings("NullAway")
        @Override
        public T call() {
            runnable.run();
            return value;
        }

        @Override
        public String describe() {
            return io.joblib4j.internal.Describe.callable(runnable);
        }
    }

    /** Settings of a {@link ProcessPool}; every one has a default. */
    public static final class Builder {
        private int workers = Runtime.getRuntime().availableProcessors();
        private List<String> jvmOptions = List.of();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Duration idleTimeout = PoolConfig.DEFAULT_IDLE_TIMEOUT;
        private int maxTasksPerWorker;
        private long heapGrowthLimit = PoolConfig.DEFAULT_HEAP_GROWTH_LIMIT;
        private @Nullable Duration timeout;
        private @Nullable SerializableRunnable initializer;
        private @Nullable Path tempFolder;
        private @Nullable Long maxNbytes = 1L << 20;
        private @Nullable String classPath;

        private Builder() {}

        /** How many tasks run at once when the pool is used as an {@code ExecutorService}; default: the CPU count. */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, got " + workers);
            }
            this.workers = workers;
            return this;
        }

        /** Options for each worker's {@code java} command, such as {@code -Xmx2g}; replaces earlier ones. */
        public Builder jvmOptions(String... options) {
            for (String o : options) {
                if (o == null || o.isBlank()) {
                    throw new IllegalArgumentException("a JVM option must not be blank, got '" + o + "'");
                }
            }
            this.jvmOptions = List.of(options);
            return this;
        }

        /**
         * The class path of each worker JVM: jars and folders holding joblib4j-core, its dependencies and the classes
         * of the tasks, separated by {@link java.io.File#pathSeparator} as for {@code java -cp}. By default it is the
         * system property {@code joblib4j.worker.classpath}, else the environment variable
         * {@code JOBLIB4J_WORKER_CLASSPATH}, else found from this JVM: its module path and modules when joblib4j is a
         * named module; {@code java.class.path} (a jar run with {@code java -jar} keeps its manifest
         * {@code Class-Path}); the URLs of the class loaders that loaded joblib4j and the caller's classes, as under
         * {@code mvn exec:java}, in servlet containers and IDE runners; and the jars joblib4j and its dependencies were
         * loaded from. Set it when those cannot be found, as for the nested jars of a Spring Boot executable jar;
         * null goes back to the default.
         *
         * @throws IllegalArgumentException if {@code classPath} is blank
         */
        public Builder classPath(String classPath) {
            if (classPath != null && classPath.isBlank()) {
                throw new IllegalArgumentException(
                        "a worker class path must list at least one jar or folder, got '" + classPath + "'");
            }
            this.classPath = classPath;
            return this;
        }

        /** Sets an environment variable in each worker. */
        public Builder environment(String name, String value) {
            if (name == null || name.isBlank() || name.contains("=")) {
                throw new IllegalArgumentException("not an environment variable name: '" + name + "'");
            }
            environment.put(name, Objects.requireNonNull(value, "value of " + name));
            return this;
        }

        /** A worker idle this long exits (default 300 s); a new one starts when needed. */
        public Builder idleTimeout(Duration idleTimeout) {
            if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
                throw new IllegalArgumentException("idleTimeout must be positive, got " + idleTimeout);
            }
            this.idleTimeout = idleTimeout;
            return this;
        }

        /** A worker is replaced by a fresh JVM after running this many tasks (0, the default: never). */
        public Builder maxTasksPerWorker(int maxTasksPerWorker) {
            if (maxTasksPerWorker < 0) {
                throw new IllegalArgumentException(
                        "maxTasksPerWorker must be 0 (no limit) or more, got " + maxTasksPerWorker);
            }
            this.maxTasksPerWorker = maxTasksPerWorker;
            return this;
        }

        /**
         * A worker whose heap use, after a batch and a garbage collection, exceeds its use after its first batch by
         * more than this many bytes exits and is replaced, as loky does for leaks (default 300 MiB; 0: never).
         */
        public Builder heapGrowthLimit(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("heapGrowthLimit must be 0 (no limit) or more, got " + bytes);
            }
            this.heapGrowthLimit = bytes;
            return this;
        }

        /** The longest a task submitted to the {@code ExecutorService} may run; its worker is killed after. */
        public Builder timeout(Duration timeout) {
            if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** Runs once in each worker before its first task of the {@code ExecutorService}. */
        public Builder initializer(SerializableRunnable initializer) {
            this.initializer = initializer;
            return this;
        }

        /** Where large arrays are shared with the workers (default: /dev/shm when it has room, else the temp dir). */
        public Builder tempFolder(Path tempFolder) {
            this.tempFolder = tempFolder;
            return this;
        }

        /** Primitive arrays larger than this many bytes are shared through files (default 1 MiB; null: never). */
        public Builder maxNbytes(@Nullable Long maxNbytes) {
            if (maxNbytes != null && maxNbytes < 0) {
                throw new IllegalArgumentException(
                        "maxNbytes must be 0 or more (or null to never share), got " + maxNbytes);
            }
            this.maxNbytes = maxNbytes;
            return this;
        }

        /** A new pool; its workers start with the first task or call. */
        public ProcessPool build() {
            return new ProcessPool(this, true);
        }
    }
}
