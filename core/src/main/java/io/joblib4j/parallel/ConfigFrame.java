package io.joblib4j.parallel;

import io.joblib4j.SerializableRunnable;
import io.joblib4j.array.MmapMode;
import io.joblib4j.backend.Backend;
import io.joblib4j.backend.BatchContext;
import io.joblib4j.internal.NJobs;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;

/**
 * The settings of {@code ParallelConfig} in force for a thread: every field may be null (unset). Frames merge, the
 * inner one's set fields winning; the merged frame travels with tasks (it is the {@link BatchContext} of the
 * engine's batches) so they inherit their caller's config, also into worker JVMs.
 *
 * @param backendName     a backend by name (a {@code ParallelConfig} keeps names: resolved at each call)
 * @param backendInstance a backend instance (a {@code Parallel} keeps the instance); at most one of the two is set
 * @param maxNbytes       a byte count, or -1 for "never share arrays through files"
 * @param tempFolder      a path string
 * @param initializer     run once in each worker before its first task; not passed on to calls nested in tasks
 */
record ConfigFrame(
        @Nullable String backendName,
        @Nullable Backend backendInstance,
        @Nullable Integer nJobs,
        @Nullable Integer verbose,
        @Nullable Prefer prefer,
        @Nullable Require require,
        @Nullable Duration timeout,
        @Nullable PreDispatch preDispatch,
        @Nullable BatchSize batchSize,
        @Nullable String tempFolder,
        @Nullable Long maxNbytes,
        @Nullable MmapMode mmapMode,
        @Nullable Boolean progressBar,
        @Nullable Integer retries,
        @Nullable SerializableRunnable initializer)
        implements BatchContext {
    @Serial
    private static final long serialVersionUID = 2L;

    static final ConfigFrame EMPTY =
            new ConfigFrame(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    private static final ThreadLocal<ConfigFrame> CURRENT = new ThreadLocal<>() { // no lambda to link on a first call
                @Override
                protected ConfigFrame initialValue() {
                    return EMPTY;
                }
            };

    /** The config in force in this thread. */
    static ConfigFrame current() {
        return CURRENT.get();
    }

    /** Makes {@code frame} the config of this thread; returns the one it replaces. */
    static ConfigFrame install(@Nullable ConfigFrame frame) {
        ConfigFrame previous = CURRENT.get();
        ConfigFrame next = frame == null ? EMPTY : frame;
        CURRENT.set(next);
        // Published for Joblib.effectiveNJobs(), which sits below the engine and cannot read this frame.
        NJobs.setInForce(next.nJobs);
        return previous;
    }

    @Override
    public <T> T callWith(Callable<T> body) throws Exception {
        ConfigFrame previous = install(this);
        try {
            return body.call();
        } finally {
            install(previous);
        }
    }

    /** The backend set in this frame, by name or instance, or null. */
    @Nullable
    String backendLabel() {
        return backendName != null ? backendName : backendInstance != null ? backendInstance.name() : null;
    }

    boolean hasBackend() {
        return backendName != null || backendInstance != null;
    }

    /** This frame with the set fields of {@code inner} on top. */
    // `inner == EMPTY` is a fast path for the common case; an equal frame takes the longer way to the same result.
    @SuppressWarnings("ReferenceEquality")
    ConfigFrame overlay(@Nullable ConfigFrame inner) {
        if (inner == null || inner == EMPTY) {
            return this;
        }
        boolean innerBackend = inner.hasBackend();
        return new ConfigFrame(
                innerBackend ? inner.backendName : backendName,
                innerBackend ? inner.backendInstance : backendInstance,
                or(inner.nJobs, nJobs),
                or(inner.verbose, verbose),
                or(inner.prefer, prefer),
                or(inner.require, require),
                or(inner.timeout, timeout),
                or(inner.preDispatch, preDispatch),
                or(inner.batchSize, batchSize),
                or(inner.tempFolder, tempFolder),
                or(inner.maxNbytes, maxNbytes),
                or(inner.mmapMode, mmapMode),
                or(inner.progressBar, progressBar),
                or(inner.retries, retries),
                or(inner.initializer, initializer));
    }

    /**
     * This frame with the backend and worker count replaced (for calls nested inside a task), without the
     * initializer: it was meant for the workers of the outer call.
     */
    ConfigFrame nested(@Nullable String nestedBackend, @Nullable Integer nestedNJobs) {
        return new ConfigFrame(
                nestedBackend,
                null,
                nestedNJobs,
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
                null);
    }

    /** This frame, fit to be sent to another JVM: a backend instance that cannot travel is dropped. */
    @Override
    public ConfigFrame portable() {
        if (backendInstance == null || backendInstance instanceof Serializable) {
            return this;
        }
        return new ConfigFrame(
                null,
                null,
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

    private static <T> @Nullable T or(@Nullable T a, @Nullable T b) {
        return a != null ? a : b;
    }
}
