package io.joblib4j.parallel;

import io.joblib4j.backend.Backend;
import io.joblib4j.internal.ConfigFrame;
import io.joblib4j.internal.NJobs;
import io.joblib4j.persist.MmapMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Scoped defaults for {@link Parallel}, joblib's {@code parallel_config}: settings made here apply to every
 * {@code Parallel} call made in this thread while the scope is open, and to the tasks those calls run (also in
 * worker processes). Scopes nest, the inner one's settings winning; settings made on a {@code Parallel} itself win
 * over any scope.
 *
 * <pre>{@code
 * try (var scope = ParallelConfig.builder().backend("virtual").nJobs(4).open()) {
 *     results = Parallel.builder().build().map(this::fetch, urls);   // runs on 4 virtual threads
 * }
 * }</pre>
 *
 * <p>A scope must be closed in the thread that opened it, in reverse order of opening (try-with-resources does
 * both).
 */
public final class ParallelConfig {
    private final ConfigFrame frame;

    private ParallelConfig(ConfigFrame frame) {
        this.frame = frame;
    }

    /** A new builder with nothing set. */
    public static Builder builder() {
        return new Builder();
    }

    /** The backend name or instance in force in this thread, or null for the default. */
    public static Object currentBackend() {
        return ConfigFrame.current().backend();
    }

    /** The {@code nJobs} in force in this thread, or null when unset. */
    public static Integer currentNJobs() {
        return ConfigFrame.current().nJobs();
    }

    /**
     * Makes these settings the defaults of this thread until the returned scope is closed.
     */
    public Scope open() {
        ConfigFrame previous = ConfigFrame.current();
        ConfigFrame merged = previous.overlay(frame);
        ConfigFrame.install(merged);
        return new Scope(previous, merged, Thread.currentThread());
    }

    /** An open configuration scope; closing it restores the settings in force before it was opened. */
    public static final class Scope implements AutoCloseable {
        private final ConfigFrame previous;
        private final ConfigFrame installed;
        private final Thread owner;
        private boolean closed;

        private Scope(ConfigFrame previous, ConfigFrame installed, Thread owner) {
            this.previous = previous;
            this.installed = installed;
            this.owner = owner;
        }

        /**
         * Restores the previous settings.
         *
         * @throws IllegalStateException if called from another thread than the one that opened the scope, or when
         *                               an inner scope is still open
         */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            if (Thread.currentThread() != owner) {
                throw new IllegalStateException("a ParallelConfig scope must be closed in the thread that opened it ("
                        + owner.getName() + "), not in " + Thread.currentThread().getName());
            }
            if (ConfigFrame.current() != installed) {
                throw new IllegalStateException("a ParallelConfig scope opened inside this one is still open; "
                        + "close scopes in reverse order (try-with-resources does)");
            }
            closed = true;
            ConfigFrame.install(previous);
        }
    }

    /** Builds a {@link ParallelConfig}; every setting is optional. */
    public static final class Builder {
        private Object backend;
        private Integer nJobs;
        private Integer verbose;
        private Prefer prefer;
        private Require require;
        private Duration timeout;
        private String preDispatch;
        private BatchSize batchSize;
        private String tempFolder;
        private Long maxNbytes;
        private MmapMode mmapMode;
        private Boolean progressBar;
        private Integer retries;

        private Builder() {}

        /** The backend by name ({@code sequential}, {@code threads}, {@code virtual}, {@code processes}, ...). */
        public Builder backend(String name) {
            Objects.requireNonNull(name, "backend name must not be null");
            Backend.named(name); // fails early, naming the valid names
            this.backend = name;
            return this;
        }

        /** A backend instance. */
        public Builder backend(Backend backend) {
            this.backend = Objects.requireNonNull(backend, "backend must not be null");
            return this;
        }

        /** See {@link Parallel.Builder#nJobs(int)}. */
        public Builder nJobs(int nJobs) {
            this.nJobs = NJobs.check(nJobs);
            return this;
        }

        /** See {@link Parallel.Builder#verbose(int)}. */
        public Builder verbose(int verbose) {
            this.verbose = Parallel.Builder.checkVerbose(verbose);
            return this;
        }

        /** See {@link Parallel.Builder#prefer(Prefer)}. */
        public Builder prefer(Prefer prefer) {
            this.prefer = Objects.requireNonNull(prefer, "prefer must not be null");
            return this;
        }

        /** See {@link Parallel.Builder#require(Require)}. */
        public Builder require(Require require) {
            this.require = Objects.requireNonNull(require, "require must not be null");
            return this;
        }

        /** See {@link Parallel.Builder#timeout(Duration)}. */
        public Builder timeout(Duration timeout) {
            this.timeout = Parallel.Builder.checkTimeout(timeout);
            return this;
        }

        /** See {@link Parallel.Builder#preDispatch(String)}. */
        public Builder preDispatch(String expression) {
            PreDispatch.parse(expression);
            this.preDispatch = expression;
            return this;
        }

        /** See {@link Parallel.Builder#batchSize(BatchSize)}. */
        public Builder batchSize(BatchSize batchSize) {
            this.batchSize = Objects.requireNonNull(batchSize, "batchSize must not be null");
            return this;
        }

        /** See {@link Parallel.Builder#tempFolder(Path)}. */
        public Builder tempFolder(Path folder) {
            this.tempFolder = Objects.requireNonNull(folder, "tempFolder must not be null").toString();
            return this;
        }

        /** See {@link Parallel.Builder#maxNbytes(String)}. */
        public Builder maxNbytes(String size) {
            this.maxNbytes = Parallel.Builder.parseBytes(size);
            return this;
        }

        /** See {@link Parallel.Builder#mmapMode(MmapMode)}. */
        public Builder mmapMode(MmapMode mode) {
            this.mmapMode = Objects.requireNonNull(mode, "mmapMode must not be null");
            return this;
        }

        /** See {@link Parallel.Builder#progressBar(boolean)}. */
        public Builder progressBar(boolean show) {
            this.progressBar = show;
            return this;
        }

        /** See {@link Parallel.Builder#retries(int)}. */
        public Builder retries(int retries) {
            this.retries = Parallel.Builder.checkRetries(retries);
            return this;
        }

        /** The configuration; open it with {@link ParallelConfig#open()}. */
        public ParallelConfig build() {
            if (prefer == Prefer.PROCESSES && require == Require.SHAREDMEM) {
                throw new IllegalArgumentException(Parallel.Builder.PREFER_REQUIRE_CONFLICT);
            }
            return new ParallelConfig(new ConfigFrame(backend, nJobs, verbose, prefer, require, timeout, preDispatch,
                    batchSize, tempFolder, maxNbytes, mmapMode, progressBar, retries));
        }

        /** Shortcut for {@code build().open()}. */
        public Scope open() {
            return build().open();
        }
    }
}
