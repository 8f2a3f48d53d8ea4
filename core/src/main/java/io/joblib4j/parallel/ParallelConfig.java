package io.joblib4j.parallel;

import io.joblib4j.backend.BatchContext;
import org.jspecify.annotations.Nullable;

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

    /**
     * The name of the backend in force in this thread (set by name or as an instance), or null for the default.
     */
    public static @Nullable String currentBackend() {
        return ConfigFrame.current().backendLabel();
    }

    /**
     * The configuration in force in this thread, as a context that batches carry to their workers: what a
     * {@link io.joblib4j.backend.Batch} made outside {@code Parallel} (by an executor, say) should run with so that
     * its tasks see their submitter's settings, as {@code Parallel}'s own tasks do.
     */
    public static BatchContext currentContext() {
        return ConfigFrame.current();
    }

    /** The {@code nJobs} in force in this thread, or null when unset. */
    public static @Nullable Integer currentNJobs() {
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
                throw new IllegalStateException(
                        "a ParallelConfig scope must be closed in the thread that opened it (" + owner.getName()
                                + "), not in " + Thread.currentThread().getName());
            }
            if (ConfigFrame.current() != installed) {
                throw new IllegalStateException("a ParallelConfig scope opened inside this one is still open; "
                        + "close scopes in reverse order (try-with-resources does)");
            }
            closed = true;
            ConfigFrame.install(previous);
        }
    }

    /** Builds a {@link ParallelConfig}; every setting is optional and means what it means on {@link Parallel.Builder}. */
    public static final class Builder extends SettingsBuilder<Builder> {
        private Builder() {}

        @Override
        Builder self() {
            return this;
        }

        @Override
        boolean keepsBackendInstances() {
            return false;
        }

        /**
         * The configuration; open it with {@link ParallelConfig#open()}.
         *
         * @throws IllegalArgumentException for {@code prefer(PROCESSES)} with {@code require(SHAREDMEM)}
         */
        public ParallelConfig build() {
            checkConsistent();
            return new ParallelConfig(frame());
        }

        /** Shortcut for {@code build().open()}. */
        public Scope open() {
            return build().open();
        }
    }
}
