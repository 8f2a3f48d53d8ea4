package io.joblib4j.internal;

import io.joblib4j.SerializableRunnable;
import io.joblib4j.parallel.BatchSize;
import io.joblib4j.parallel.Prefer;
import io.joblib4j.parallel.Require;
import io.joblib4j.persist.MmapMode;
import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * The settings of {@code ParallelConfig} in force for a thread: every field may be null (unset). Frames merge, the
 * inner one's set fields winning; the merged frame travels with tasks so they inherit their caller's config, also
 * into worker JVMs.
 *
 * @param backend     a backend name ({@code String}) or a {@code Backend} instance
 * @param maxNbytes   a byte count, or -1 for "never share arrays through files"
 * @param tempFolder  a path string
 * @param initializer run once in each worker before its first task; not passed on to calls nested in tasks
 */
public record ConfigFrame(
        Object backend,
        Integer nJobs,
        Integer verbose,
        Prefer prefer,
        Require require,
        Duration timeout,
        String preDispatch,
        BatchSize batchSize,
        String tempFolder,
        Long maxNbytes,
        MmapMode mmapMode,
        Boolean progressBar,
        Integer retries,
        SerializableRunnable initializer)
        implements Serializable {

    public static final ConfigFrame EMPTY =
            new ConfigFrame(null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    /** A frame without an initializer. */
    public ConfigFrame(
            Object backend,
            Integer nJobs,
            Integer verbose,
            Prefer prefer,
            Require require,
            Duration timeout,
            String preDispatch,
            BatchSize batchSize,
            String tempFolder,
            Long maxNbytes,
            MmapMode mmapMode,
            Boolean progressBar,
            Integer retries) {
        this(
                backend,
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
                null);
    }

    private static final ThreadLocal<ConfigFrame> CURRENT = new ThreadLocal<>() {
        @Override
        protected ConfigFrame initialValue() {
            return EMPTY;
        }
    };

    /** The config in force in this thread. */
    public static ConfigFrame current() {
        return CURRENT.get();
    }

    /** Makes {@code frame} the config of this thread; returns the one it replaces. */
    public static ConfigFrame install(ConfigFrame frame) {
        ConfigFrame previous = CURRENT.get();
        CURRENT.set(frame == null ? EMPTY : frame);
        return previous;
    }

    /** Runs {@code body} with {@code frame} as this thread's config, restoring the previous one after. */
    public static <T> T callWith(ConfigFrame frame, Callable<T> body) throws Exception {
        ConfigFrame previous = install(frame);
        try {
            return body.call();
        } finally {
            install(previous);
        }
    }

    /** This frame with the set fields of {@code inner} on top. */
    public ConfigFrame overlay(ConfigFrame inner) {
        if (inner == null || inner == EMPTY) {
            return this;
        }
        return new ConfigFrame(
                or(inner.backend, backend),
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
    public ConfigFrame nested(String nestedBackend, Integer nestedNJobs) {
        return new ConfigFrame(
                nestedBackend,
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
                retries);
    }

    /** This frame, fit to be sent to another JVM: a backend instance that cannot travel is dropped. */
    public ConfigFrame portable() {
        if (backend == null || backend instanceof String || backend instanceof Serializable) {
            return this;
        }
        return new ConfigFrame(
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

    private static <T> T or(T a, T b) {
        return a != null ? a : b;
    }
}
