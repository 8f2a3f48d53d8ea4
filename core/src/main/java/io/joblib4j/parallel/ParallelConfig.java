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
    /** The timeline file of the scopes open in this thread (not passed on to tasks: their calls would overwrite it). */
    private static final ThreadLocal<java.nio.file.Path> TIMELINE = new ThreadLocal<>();

    private final ConfigFrame frame;
    private final java.nio.file.@Nullable Path timeline;

    private ParallelConfig(ConfigFrame frame, java.nio.file.@Nullable Path timeline) {
        this.frame = frame;
        this.timeline = timeline;
    }

    /** The timeline file set by the scopes open in this thread, or null. */
    static java.nio.file.Path currentTimeline() {
        return TIMELINE.get();
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
        java.nio.file.Path previousTimeline = TIMELINE.get();
        if (timeline != null) {
            TIMELINE.set(timeline);
        }
        return new Scope(previous, merged, previousTimeline, Thread.currentThread());
    }

    /** An open configuration scope; closing it restores the settings in force before it was opened. */
    public static final class Scope implements AutoCloseable {
        private final ConfigFrame previous;
        private final ConfigFrame installed;
        private final java.nio.file.Path previousTimeline;
        private final Thread owner;
        private boolean closed;

        private Scope(ConfigFrame previous, ConfigFrame installed, java.nio.file.Path previousTimeline, Thread owner) {
            this.previous = previous;
            this.installed = installed;
            this.previousTimeline = previousTimeline;
            this.owner = owner;
        }

        /**
         * Restores the previous settings.
         *
         * @throws IllegalStateException if called from another thread than the one that opened the scope, or when
         *                               an inner scope is still open
         */
        @Override
        @SuppressWarnings("ReferenceEquality") // the very frame this scope installed, not an equal one
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
            if (previousTimeline == null) {
                TIMELINE.remove();
            } else {
                TIMELINE.set(previousTimeline);
            }
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
            return new ParallelConfig(frame(), timeline);
        }

        /** Shortcut for {@code build().open()}. */
        public Scope open() {
            return build().open();
        }
    }
}
