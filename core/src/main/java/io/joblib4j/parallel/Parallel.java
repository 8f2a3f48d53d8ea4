package io.joblib4j.parallel;

import io.joblib4j.Joblib;
import io.joblib4j.SerializableFunction1;
import io.joblib4j.Task;
import io.joblib4j.array.MmapMode;
import io.joblib4j.backend.Backend;
import io.joblib4j.backend.WorkerSpec;
import io.joblib4j.backend.Workers;
import io.joblib4j.internal.NJobs;
import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;

/**
 * Runs independent tasks in parallel and collects their results: joblib's {@code Parallel}.
 *
 * <pre>{@code
 * List<Double> roots = Parallel.of(2).map(Math::sqrt, List.of(1.0, 4.0, 9.0));          // [1.0, 2.0, 3.0]
 * List<Integer> lens = Parallel.of(-1).run(words.stream().map(w -> delayed(String::length, w)));
 * try (Stream<Result> results = Parallel.of(4).stream(this::simulate, seeds)) {         // lazily, in order
 *     results.forEach(this::save);
 * }
 * }</pre>
 *
 * <h2>Backends and workers</h2>
 * Tasks run on a {@link Backend}: {@code "threads"} (the default: platform threads, best for CPU work in Java),
 * {@code "virtual"} (virtual threads, for tasks that mostly wait), {@code "sequential"}, {@code "processes"}
 * (worker JVMs) or one registered by name. {@code nJobs} workers run at once; a resolved {@code nJobs} of 1 runs
 * every task in the calling thread, lazily (a task is run when the consumer needs its result).
 *
 * <h2>Results and memory</h2>
 * {@link #run}/{@link #map} return a list in input order. {@link #stream} returns results in input order as they
 * become available and {@link #streamUnordered} in completion order; both read the input lazily and keep at most
 * {@code preDispatch} batches in flight or waiting for the consumer, so an input of any length streams through in
 * bounded memory. {@link #outcomes} gives each task's value or failure and never throws for a task's failure.
 * Close a stream (try-with-resources) to cancel the work still queued if it is not read to the end.
 *
 * <h2>Errors</h2>
 * The first task to fail (the lowest input index among the failures known when the first one arrives) aborts the
 * call: queued tasks are dropped and running ones interrupted (threads) or their workers killed (processes). An
 * unchecked exception reaches the caller with its own type, a checked one wrapped in {@link TaskFailedException};
 * both carry a suppressed {@link TaskFailure} naming the task's index, call, backend and worker. An exception thrown
 * by the input itself reaches the caller as it is. The instance stays usable.
 *
 * <h2>Reuse and threads</h2>
 * A {@code Parallel} keeps its workers between calls until it is {@linkplain #close() closed}: use it in
 * try-with-resources to share one pool of workers (and one run of the {@code initializer} per worker) across calls.
 * Idle worker threads end by themselves after a minute, and the workers of an instance dropped without closing are
 * released when it is garbage collected. An instance runs one call at a time: a second call while one runs (or while
 * a stream of it is open) throws {@link IllegalStateException}. A {@code Parallel} call made inside a task runs on
 * the backend's nested backend (threads: sequential) unless it names one, so nesting never oversubscribes the CPUs.
 */
public final class Parallel implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    private final ConfigFrame explicit;
    private final @Nullable Integer requestedNJobs;
    private final @Nullable ProgressListener listener;
    private final @Nullable String progressLabel;
    private final @Nullable Path timeline;
    private final AtomicBoolean running = new AtomicBoolean();
    private final WorkerHolder holder = new WorkerHolder();

    private Parallel(Builder b) {
        this.explicit = b.frame();
        this.requestedNJobs = b.nJobs;
        this.listener = b.listener;
        this.progressLabel = b.progressLabel;
        this.timeline = b.timeline;
        CLEANER.register(this, holder);
    }

    /** A new builder; every setting is optional. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@code builder().nJobs(nJobs).build()}. */
    public static Parallel of(int nJobs) {
        return builder().nJobs(nJobs).build();
    }

    // ---- calls ------------------------------------------------------------------------------------------------

    /** Runs the tasks and returns their values in input order (joblib's {@code return_as="list"}). */
    public <R> List<R> run(Iterable<? extends Task<R>> tasks) {
        Objects.requireNonNull(tasks, "tasks must not be null");
        return list(Input.of(tasks));
    }

    /** Runs the tasks and returns their values in input order; the stream is read lazily and closed. */
    public <R> List<R> run(Stream<? extends Task<R>> tasks) {
        Objects.requireNonNull(tasks, "tasks must not be null");
        try (tasks) {
            return list(Input.of(tasks));
        }
    }

    /** {@code run(delayed(f, x) for x in items)}: the values of {@code f} in input order. */
    @SuppressWarnings("unchecked")
    public <T, R> List<R> map(SerializableFunction1<T, R> f, Iterable<T> items) {
        Objects.requireNonNull(f, "function must not be null");
        Objects.requireNonNull(items, "items must not be null");
        return (List<R>) start(ParallelRun.Mode.LIST, Input.of(items), f).all();
    }

    /** {@code run(delayed(f, x) for x in items)}: the values of {@code f} in input order. */
    @SuppressWarnings("unchecked")
    public <T, R> List<R> map(SerializableFunction1<T, R> f, Stream<T> items) {
        Objects.requireNonNull(f, "function must not be null");
        Objects.requireNonNull(items, "items must not be null");
        try (items) {
            return (List<R>) start(ParallelRun.Mode.LIST, Input.of(items), f).all();
        }
    }

    /**
     * The values in input order, lazily (joblib's {@code return_as="generator"}): each is handed out as soon as it
     * and all before it are done. Close the stream to cancel what is still running.
     */
    public <R> Stream<R> stream(Iterable<? extends Task<R>> tasks) {
        return lazy(ParallelRun.Mode.ORDERED, Input.of(Objects.requireNonNull(tasks, "tasks must not be null")), null);
    }

    /** As {@link #stream(Iterable)}. */
    public <R> Stream<R> stream(Stream<? extends Task<R>> tasks) {
        Objects.requireNonNull(tasks, "tasks must not be null");
        return lazy(ParallelRun.Mode.ORDERED, Input.of(tasks), tasks);
    }

    /** {@code stream(delayed(f, x) for x in items)}. */
    public <T, R> Stream<R> stream(SerializableFunction1<T, R> f, Iterable<T> items) {
        return lazy(ParallelRun.Mode.ORDERED, inputOf(f, items), f, null);
    }

    /** {@code stream(delayed(f, x) for x in items)}. */
    public <T, R> Stream<R> stream(SerializableFunction1<T, R> f, Stream<T> items) {
        return lazy(ParallelRun.Mode.ORDERED, inputOf(f, items), f, items);
    }

    /** The values in completion order, lazily (joblib's {@code return_as="generator_unordered"}). */
    public <R> Stream<R> streamUnordered(Iterable<? extends Task<R>> tasks) {
        return lazy(
                ParallelRun.Mode.UNORDERED, Input.of(Objects.requireNonNull(tasks, "tasks must not be null")), null);
    }

    /** As {@link #streamUnordered(Iterable)}. */
    public <R> Stream<R> streamUnordered(Stream<? extends Task<R>> tasks) {
        Objects.requireNonNull(tasks, "tasks must not be null");
        return lazy(ParallelRun.Mode.UNORDERED, Input.of(tasks), tasks);
    }

    /** {@code streamUnordered(delayed(f, x) for x in items)}. */
    public <T, R> Stream<R> streamUnordered(SerializableFunction1<T, R> f, Iterable<T> items) {
        return lazy(ParallelRun.Mode.UNORDERED, inputOf(f, items), f, null);
    }

    /** {@code streamUnordered(delayed(f, x) for x in items)}. */
    public <T, R> Stream<R> streamUnordered(SerializableFunction1<T, R> f, Stream<T> items) {
        return lazy(ParallelRun.Mode.UNORDERED, inputOf(f, items), f, items);
    }

    /**
     * Each task's value or failure, in input order, lazily. A failing task does not stop the others, and the stream
     * never throws for a task's failure (it still throws for an error of the input itself).
     */
    public <R> Stream<Outcome<R>> outcomes(Iterable<? extends Task<R>> tasks) {
        return lazy(ParallelRun.Mode.OUTCOMES, Input.of(Objects.requireNonNull(tasks, "tasks must not be null")), null);
    }

    /** As {@link #outcomes(Iterable)}. */
    public <R> Stream<Outcome<R>> outcomes(Stream<? extends Task<R>> tasks) {
        Objects.requireNonNull(tasks, "tasks must not be null");
        return lazy(ParallelRun.Mode.OUTCOMES, Input.of(tasks), tasks);
    }

    /** {@code outcomes(delayed(f, x) for x in items)}. */
    public <T, R> Stream<Outcome<R>> outcomes(SerializableFunction1<T, R> f, Iterable<T> items) {
        return lazy(ParallelRun.Mode.OUTCOMES, inputOf(f, items), f, null);
    }

    /** {@code outcomes(delayed(f, x) for x in items)}. */
    public <T, R> Stream<Outcome<R>> outcomes(SerializableFunction1<T, R> f, Stream<T> items) {
        return lazy(ParallelRun.Mode.OUTCOMES, inputOf(f, items), f, items);
    }

    /**
     * Releases the workers kept between calls (threads end, worker processes go back to their pool). The instance
     * may be used again afterwards; it then acquires new workers.
     */
    @Override
    public void close() {
        holder.run();
    }

    @Override
    public String toString() {
        return "Parallel(n_jobs=" + (requestedNJobs == null ? "default" : requestedNJobs) + ")";
    }

    // ---- machinery --------------------------------------------------------------------------------------------

    private static Input inputOf(SerializableFunction1<?, ?> f, Iterable<?> items) {
        Objects.requireNonNull(f, "function must not be null");
        return Input.of(Objects.requireNonNull(items, "items must not be null"));
    }

    private static Input inputOf(SerializableFunction1<?, ?> f, Stream<?> items) {
        Objects.requireNonNull(f, "function must not be null");
        return Input.of(Objects.requireNonNull(items, "items must not be null"));
    }

    /**
     * The input of a call: its iterator, its size when known up front (-1 otherwise), and the input itself when it is
     * a random-access list (read in bulk), else null.
     */
    record Input(Iterator<?> iterator, long size, @Nullable List<?> list) {
        static Input of(Iterable<?> items) {
            return new Input(
                    items.iterator(),
                    items instanceof java.util.Collection<?> c ? c.size() : -1,
                    items instanceof List<?> l && items instanceof java.util.RandomAccess ? l : null);
        }

        static Input of(Stream<?> items) {
            Spliterator<?> split = items.spliterator();
            return new Input(Spliterators.iterator(split), split.getExactSizeIfKnown(), null);
        }
    }

    @SuppressWarnings("unchecked")
    private <R> List<R> list(Input input) {
        ParallelRun<R> run = start(ParallelRun.Mode.LIST, input, null);
        return (List<R>) run.all();
    }

    private <E> Stream<E> lazy(ParallelRun.Mode mode, Input input, @Nullable Stream<?> source) {
        return lazy(mode, input, null, source);
    }

    @SuppressWarnings("unchecked")
    private <E> Stream<E> lazy(
            ParallelRun.Mode mode,
            Input input,
            @Nullable SerializableFunction1<?, ?> function,
            @Nullable Stream<?> source) {
        ParallelRun<?> run = start(mode, input, function);
        StreamHandle<E> handle = new StreamHandle<>((Iterator<E>) run);
        // A stream dropped without being read to its end or closed: cancel its work once it is garbage.
        CLEANER.register(handle, run::cancel);
        Stream<E> stream = StreamSupport.stream(
                Spliterators.spliteratorUnknownSize(
                        handle, mode == ParallelRun.Mode.UNORDERED ? 0 : Spliterator.ORDERED),
                false);
        return stream.onClose(() -> {
            run.cancel();
            if (source != null) {
                source.close();
            }
        });
    }

    private <R> ParallelRun<R> start(
            ParallelRun.Mode mode, Input input, @Nullable SerializableFunction1<?, ?> function) {
        Resolved settings = resolve();
        if (!running.compareAndSet(false, true)) {
            throw new IllegalStateException("this Parallel instance is already running a call; wait for it to finish, "
                    + "or close the stream of the previous call (a stream that is not read to its end keeps the "
                    + "instance busy until it is closed: use try-with-resources), or use a second instance");
        }
        try {
            Workers workers = holder.acquire(settings);
            if (workers.size() < 1) {
                throw noWorker(settings.backend(), "its workers' size() is " + workers.size());
            }
            return new ParallelRun<>(
                    this,
                    settings,
                    mode,
                    input.iterator(),
                    input.size(),
                    input.list(),
                    function,
                    workers,
                    running,
                    batcher(settings, workers, function));
        } catch (RuntimeException | Error e) {
            running.set(false);
            throw e;
        }
    }

    /**
     * The automatic batch size learnt by this instance's last call, kept for the next call that maps the same function
     * (the same lambda or method reference, by class) on the same workers: a repeated call on a warm instance starts at
     * the size the previous one reached instead of ramping up from 1 again, which on a cluster saves a round trip per
     * doubling. Calls of other functions, and of tasks, start from 1 (their tasks may take far longer). Read and
     * written only by the call that holds {@link #running}.
     */
    private @Nullable AutoBatcher batcher;

    private record BatcherKey(Workers workers, Class<?> function, int fixedSize, double minBatchSeconds) {}

    private @Nullable BatcherKey batcherKey;

    private AutoBatcher batcher(Resolved settings, Workers workers, @Nullable SerializableFunction1<?, ?> function) {
        BatcherKey key = new BatcherKey(
                workers,
                function == null ? Void.class : function.getClass(),
                settings.sequential() ? 1 : settings.batchSize().fixedSize(),
                settings.backend().minBatchSeconds());
        AutoBatcher b = batcher;
        if (b == null || function == null || !key.equals(batcherKey)) {
            b = new AutoBatcher(key.fixedSize(), key.minBatchSeconds());
            batcher = b;
            batcherKey = key;
        }
        return b;
    }

    /** The settings of one call: this instance's, over the active {@link ParallelConfig}, over the defaults. */
    Resolved resolve() {
        ConfigFrame config = ConfigFrame.current();
        ConfigFrame s = config.overlay(explicit);
        Backend backend = chooseBackend(s);
        java.util.OptionalInt all = backend.allWorkers(); // no method reference to link on a first call
        int nJobs = NJobs.resolve(s.nJobs(), null, all.isPresent() ? all.getAsInt() : Joblib.cpuCount());
        int workers = backend.effectiveNJobs(nJobs);
        if (workers < 1) {
            throw noWorker(backend, "effectiveNJobs(" + nJobs + ") is " + workers);
        }
        boolean sequential = workers == 1 && backend.sharedMemory();
        if (sequential) {
            backend = Backend.sequential();
        }
        PreDispatch chosenPreDispatch = s.preDispatch();
        int preDispatch = sequential
                ? 1
                : (chosenPreDispatch == null ? PreDispatch.defaults() : chosenPreDispatch).evaluate(workers);
        Backend.Nested nested = backend.nested();
        // A sequential call runs its tasks in the caller's context, as joblib's n_jobs=1 does: the active
        // configuration reaches them unchanged. Tasks on workers get the backend's nested defaults.
        ConfigFrame taskContext = sequential ? config : config.nested(nested.backend(), nested.nJobs());
        int verbose = s.verbose() == null ? 0 : s.verbose();
        String shownNJobs = String.valueOf(explicit.nJobs() != null ? explicit.nJobs() : nJobs);
        return new Resolved(
                backend,
                workers,
                sequential,
                preDispatch,
                s.batchSize() == null ? BatchSize.auto() : s.batchSize(),
                s.timeout(),
                s.retries() == null ? 0 : s.retries(),
                Boolean.TRUE.equals(s.progressBar()),
                listener,
                new VerboseReporter(verbose, shownNJobs, System.err, System.out),
                taskContext,
                WorkerSpec.builder(workers)
                        .timeout(s.timeout())
                        .initializer(s.initializer())
                        .verbose(verbose)
                        .option(ArraySharing.class, arraySharing(s))
                        .build(),
                progressLabel == null ? "Parallel" : progressLabel,
                timeline != null ? timeline : ParallelConfig.currentTimeline());
    }

    private static ArraySharing arraySharing(ConfigFrame s) {
        if (s.tempFolder() == null && s.maxNbytes() == null && s.mmapMode() == null) {
            return ArraySharing.defaults();
        }
        Long maxNbytes = s.maxNbytes();
        MmapMode mode = s.mmapMode();
        String folder = s.tempFolder();
        return ArraySharing.of(
                folder == null ? null : Path.of(folder),
                maxNbytes == null ? ArraySharing.DEFAULT_MAX_NBYTES : maxNbytes,
                mode == null ? MmapMode.READ_ONLY : mode);
    }

    private static IllegalStateException noWorker(Backend backend, String why) {
        return new IllegalStateException("backend '" + backend.name() + "' has no active worker (" + why
                + "); a call on it could never run a task");
    }

    private Backend chooseBackend(ConfigFrame s) {
        Backend backend;
        Backend instance = s.backendInstance();
        String name = s.backendName();
        if (instance != null) {
            backend = instance;
        } else if (name != null) {
            backend = Backend.named(name);
        } else if (s.prefer() == Prefer.PROCESSES
                && s.require() != Require.SHAREDMEM
                && Backend.names().contains("processes")) {
            backend = Backend.named("processes");
        } else {
            backend = Backend.threads();
        }
        if (s.require() == Require.SHAREDMEM && !backend.sharedMemory()) {
            if (explicit.hasBackend()) {
                throw new IllegalArgumentException("backend '" + backend.name() + "' does not share memory with the "
                        + "caller, but require(SHAREDMEM) was set; use threads, virtual or sequential");
            }
            backend = Backend.threads();
        }
        return backend;
    }

    /** What a stream reads from; the call's work is cancelled when this becomes unreachable. */
    private record StreamHandle<E>(Iterator<E> run) implements Iterator<E> {
        @Override
        public boolean hasNext() {
            return run.hasNext();
        }

        @Override
        public E next() {
            return run.next();
        }
    }

    /** Everything one call needs, resolved. */
    record Resolved(
            Backend backend,
            int workers,
            boolean sequential,
            int preDispatch,
            BatchSize batchSize,
            @Nullable Duration timeout,
            int retries,
            boolean progressBar,
            @Nullable ProgressListener listener,
            VerboseReporter verbose,
            ConfigFrame taskContext,
            WorkerSpec spec,
            @Nullable String progressLabel,
            @Nullable Path timeline) {
        /** The pre-dispatch amount in tasks, for joblib's verbose rate limit. */
        long preDispatchTasks() {
            return preDispatch == PreDispatch.ALL ? Long.MAX_VALUE / 4 : preDispatch;
        }
    }

    /** The workers kept between calls; also the cleaning action run when the Parallel is garbage collected. */
    private static final class WorkerHolder implements Runnable {
        private @Nullable Workers workers;
        private @Nullable Backend backend;
        private @Nullable WorkerSpec spec;

        synchronized Workers acquire(Resolved settings) {
            Backend b = settings.backend();
            Backend held = backend; // set together with workers
            if (workers != null
                    && held != null
                    && held.getClass() == b.getClass()
                    && held.name().equals(b.name())
                    && Objects.equals(spec, settings.spec())) {
                return workers;
            }
            run();
            workers = settings.backend().open(settings.spec());
            backend = settings.backend();
            spec = settings.spec();
            return workers;
        }

        @Override
        public synchronized void run() {
            if (workers != null) {
                Workers w = workers;
                workers = null;
                backend = null;
                spec = null;
                w.close();
            }
        }
    }

    // ---- builder ----------------------------------------------------------------------------------------------

    /**
     * Builds a {@link Parallel}. Settings left unset come from the active {@link ParallelConfig}, else defaults; the
     * settings shared with {@link ParallelConfig.Builder} are documented there too.
     */
    public static final class Builder extends SettingsBuilder<Builder> {
        /** joblib's default {@code max_nbytes}: 1 MiB. */
        public static final long DEFAULT_MAX_NBYTES = ArraySharing.DEFAULT_MAX_NBYTES;

        private @Nullable ProgressListener listener;
        private @Nullable String progressLabel;

        private Builder() {}

        @Override
        Builder self() {
            return this;
        }

        @Override
        boolean keepsBackendInstances() {
            return true;
        }

        /** Told of the progress after each batch, in the thread running the call. */
        public Builder onProgress(ProgressListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener must not be null");
            return this;
        }

        /**
         * How many batches are dispatched ahead of the consumer.
         *
         * @throws IllegalArgumentException if less than 1
         */
        public Builder preDispatch(int batches) {
            return preDispatch(PreDispatch.batches(batches));
        }

        /**
         * A fixed batch size.
         *
         * @throws IllegalArgumentException if less than 1
         */
        public Builder batchSize(int size) {
            return batchSize(BatchSize.of(size));
        }

        /**
         * What the progress bar of {@link #progressBar(boolean)} calls the work, in place of {@code Parallel}
         * (for example {@code "10 x sleep(1 s), threads"}).
         *
         * @throws IllegalArgumentException if blank
         */
        public Builder progressLabel(String label) {
            if (label == null || label.isBlank()) {
                throw new IllegalArgumentException("progressLabel must be a non-blank text, got "
                        + (label == null ? "null" : "\"" + label + "\""));
            }
            this.progressLabel = label;
            return this;
        }

        /**
         * The {@link Parallel}.
         *
         * @throws IllegalArgumentException for {@code prefer(PROCESSES)} with {@code require(SHAREDMEM)}, or
         *                                  {@code require(SHAREDMEM)} with a backend that does not share memory
         */
        public Parallel build() {
            checkConsistent();
            Backend b = backendInstance;
            if (require == Require.SHAREDMEM && b != null && !b.sharedMemory()) {
                throw new IllegalArgumentException("backend '" + b.name() + "' does not share memory with the "
                        + "caller, but require(SHAREDMEM) was set; use threads, virtual or sequential");
            }
            return new Parallel(this);
        }
    }
}
