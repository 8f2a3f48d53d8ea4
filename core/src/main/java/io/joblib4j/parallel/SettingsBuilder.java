package io.joblib4j.parallel;

import io.joblib4j.SerializableRunnable;
import io.joblib4j.array.MmapMode;
import io.joblib4j.backend.Backend;
import io.joblib4j.internal.ByteSizes;
import io.joblib4j.internal.NJobs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The settings that both {@link Parallel.Builder} and {@link ParallelConfig.Builder} take, with their checks.
 *
 * @param <B> the concrete builder
 */
abstract class SettingsBuilder<B extends SettingsBuilder<B>> {
    static final String PREFER_REQUIRE_CONFLICT =
            "prefer(PROCESSES) conflicts with require(SHAREDMEM): worker processes do not share the caller's memory";

    @Nullable
    String backendName;

    @Nullable
    Backend backendInstance;

    @Nullable
    Integer nJobs;

    @Nullable
    Integer verbose;

    @Nullable
    Prefer prefer;

    @Nullable
    Require require;

    @Nullable
    Duration timeout;

    @Nullable
    PreDispatch preDispatch;

    @Nullable
    BatchSize batchSize;

    @Nullable
    String tempFolder;

    @Nullable
    Long maxNbytes;

    @Nullable
    MmapMode mmapMode;

    @Nullable
    Boolean progressBar;

    @Nullable
    Integer retries;

    @Nullable
    SerializableRunnable initializer;

    @Nullable
    Path timeline;

    SettingsBuilder() {}

    abstract B self();

    /**
     * Whether a backend named by the user is kept as the instance (a {@code Parallel}) or as the name (a config:
     * resolved at each call, and sent by name to tasks in other JVMs).
     */
    abstract boolean keepsBackendInstances();

    /**
     * How many tasks run at once: a positive count; {@code -1} for all CPUs, {@code -2} for all but one,
     * {@code n < -1} for {@code cpuCount() + 1 + n}. Unset: the active {@link ParallelConfig}'s, else 1.
     *
     * @throws IllegalArgumentException for 0
     */
    public B nJobs(int nJobs) {
        this.nJobs = NJobs.check(nJobs);
        return self();
    }

    /**
     * The backend by name: {@code "sequential"}, {@code "threads"} (default), {@code "virtual"},
     * {@code "processes"}, or a registered name.
     *
     * @throws IllegalArgumentException naming the valid names, for an unknown name
     */
    public B backend(String name) {
        Objects.requireNonNull(name, "backend name must not be null");
        Backend created = Backend.named(name);
        this.backendName = keepsBackendInstances() ? null : name;
        this.backendInstance = keepsBackendInstances() ? created : null;
        return self();
    }

    /** A backend instance. */
    public B backend(Backend backend) {
        this.backendInstance = Objects.requireNonNull(backend, "backend must not be null");
        this.backendName = null;
        return self();
    }

    /** A soft hint used only when no backend is named here or in the config. */
    public B prefer(Prefer prefer) {
        this.prefer = Objects.requireNonNull(prefer, "prefer must not be null");
        return self();
    }

    /** A hard constraint: {@code SHAREDMEM} forces an in-process backend. */
    public B require(Require require) {
        this.require = Objects.requireNonNull(require, "require must not be null");
        return self();
    }

    /**
     * joblib's progress messages on stderr (stdout from 50): 0 is silent, above 10 a message for every batch,
     * between 1 and 10 messages at a rate growing with the level.
     *
     * @throws IllegalArgumentException if negative
     */
    public B verbose(int verbose) {
        if (verbose < 0) {
            throw new IllegalArgumentException("verbose must be 0 or more, got " + verbose);
        }
        this.verbose = verbose;
        return self();
    }

    /** A terminal progress bar with count, rate and ETA on stderr; nothing when stderr is not a terminal. */
    public B progressBar(boolean show) {
        this.progressBar = show;
        return self();
    }

    /**
     * The longest a single task may run, measured from its start. A task that runs longer fails the call with
     * {@link TaskTimeoutException}; its thread is interrupted (threads) or its worker killed (processes).
     *
     * @throws IllegalArgumentException if zero or negative
     */
    public B timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        this.timeout = timeout;
        return self();
    }

    /**
     * How many batches are dispatched ahead of the consumer: an expression over {@code n_jobs} such as
     * {@code "2*n_jobs"} (the default) or {@code "all"}.
     *
     * @throws IllegalArgumentException quoting an invalid expression
     */
    public B preDispatch(String expression) {
        this.preDispatch = PreDispatch.parse(expression);
        return self();
    }

    /** How many batches are dispatched ahead of the consumer (default {@link PreDispatch#defaults()}). */
    public B preDispatch(PreDispatch preDispatch) {
        this.preDispatch = Objects.requireNonNull(preDispatch, "preDispatch must not be null");
        return self();
    }

    /** {@link BatchSize#auto()} (default) or {@link BatchSize#of(int)}. */
    public B batchSize(BatchSize batchSize) {
        this.batchSize = Objects.requireNonNull(batchSize, "batchSize must not be null");
        return self();
    }

    /** Process backend: the folder for arrays shared with workers (default {@code /dev/shm} or the temp dir). */
    public B tempFolder(Path folder) {
        this.tempFolder =
                Objects.requireNonNull(folder, "tempFolder must not be null").toString();
        return self();
    }

    /**
     * Process backend: arrays larger than this are shared through memory-mapped files: {@code "1M"} (default),
     * a byte count with an optional K/M/G suffix (1024-based), or null to never share.
     *
     * @throws IllegalArgumentException for an unreadable size
     */
    public B maxNbytes(@Nullable String size) {
        this.maxNbytes = size == null ? -1 : ByteSizes.parse(size);
        return self();
    }

    /**
     * Process backend: how workers map the arrays the call writes to its temp folder (default
     * {@link MmapMode#READ_ONLY}). An {@code NdArray} already mapped from a file keeps the mode it was mapped in.
     */
    public B mmapMode(MmapMode mode) {
        this.mmapMode = Objects.requireNonNull(mode, "mmapMode must not be null");
        return self();
    }

    /**
     * How many times a task lost to a crashed worker process or a departed cluster member is run again before
     * the call fails (default 0). Tasks that throw are never retried.
     *
     * @throws IllegalArgumentException if negative
     */
    public B retries(int retries) {
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be 0 or more, got " + retries);
        }
        this.retries = retries;
        return self();
    }

    /**
     * Run once in each worker (thread or process) before its first task, as joblib's {@code initializer}: to set
     * up per-worker state such as a thread-local, a native library's thread count or logging. An initializer
     * that throws fails the call. One set on a {@code Parallel} wins over one of a {@link ParallelConfig}; calls
     * nested inside a task do not run the outer call's initializer.
     */
    public B initializer(SerializableRunnable initializer) {
        this.initializer = Objects.requireNonNull(initializer, "initializer must not be null");
        return self();
    }

    /**
     * Writes a self-contained HTML report of each call to this file when the call ends (also when it fails or is
     * cancelled): a lane per worker, a bar per batch coloured by its outcome, with the call's wall time, utilisation,
     * longest idle gap and dispatch overhead in its header. It opens in any browser without network access. Each
     * call replaces the file; a report that cannot be written is reported on stderr and does not fail the call. On a
     * {@link ParallelConfig} it applies to the calls made in the scope's thread, not to calls nested in their tasks.
     * See {@code docs/observability.md}.
     */
    public B timeline(Path htmlFile) {
        this.timeline = Objects.requireNonNull(htmlFile, "timeline file must not be null");
        return self();
    }

    /** Checks the settings against each other. */
    void checkConsistent() {
        if (prefer == Prefer.PROCESSES && require == Require.SHAREDMEM) {
            throw new IllegalArgumentException(PREFER_REQUIRE_CONFLICT);
        }
    }

    /** The settings as a configuration frame (null fields: unset). */
    ConfigFrame frame() {
        return new ConfigFrame(
                backendName,
                backendInstance,
                nJobs,
                verbose,
                prefer,
                require,
                timeout,
                preDispatch,
                batchSize,
                tempFolder,
                maxNbytes,
                mmapMode,
                progressBar,
                retries,
                initializer);
    }
}
