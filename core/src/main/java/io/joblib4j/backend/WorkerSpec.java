package io.joblib4j.backend;

import io.joblib4j.SerializableRunnable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What {@code Parallel} asks of a backend's workers: how many, the per-task time limit, an initializer and the
 * verbosity, plus typed options that only some backends read ({@link #option(Class)}; for example
 * {@code io.joblib4j.parallel.ArraySharing}, how large arrays travel to out-of-process workers). Immutable; equal
 * specs ask for the same workers, so a backend's workers can be kept between calls with equal specs.
 *
 * <pre>{@code
 * WorkerSpec spec = WorkerSpec.builder(4).timeout(Duration.ofSeconds(30)).build();
 * try (Workers workers = backend.open(spec)) { ... }
 * }</pre>
 */
public final class WorkerSpec {
    private final int nJobs;
    private final @Nullable Duration timeout;
    private final @Nullable SerializableRunnable initializer;
    private final int verbose;
    private final Map<Class<?>, Object> options;

    private WorkerSpec(Builder b) {
        this.nJobs = b.nJobs;
        this.timeout = b.timeout;
        this.initializer = b.initializer;
        this.verbose = b.verbose;
        this.options = Map.copyOf(b.options);
    }

    /** A spec with only a worker count. */
    public static WorkerSpec of(int nJobs) {
        return builder(nJobs).build();
    }

    /**
     * A builder of a spec for {@code nJobs} workers.
     *
     * @throws IllegalArgumentException if {@code nJobs < 1}
     */
    public static Builder builder(int nJobs) {
        return new Builder(nJobs);
    }

    /** A builder holding this spec's settings. */
    public Builder toBuilder() {
        Builder b = new Builder(nJobs);
        b.timeout = timeout;
        b.initializer = initializer;
        b.verbose = verbose;
        b.options.putAll(options);
        return b;
    }

    /** The number of workers, at least 1. */
    public int nJobs() {
        return nJobs;
    }

    /**
     * The longest a single task may run, from its start, or null for no limit. A backend reports a task that runs
     * longer as failed with {@link io.joblib4j.parallel.TaskTimeoutException} and stops it as well as it can
     * (interrupting a thread, killing a process).
     */
    public @Nullable Duration timeout() {
        return timeout;
    }

    /** Run once in each worker before its first task, or null. */
    public @Nullable SerializableRunnable initializer() {
        return initializer;
    }

    /** joblib's verbosity level, for backends with messages of their own (0: silent). */
    public int verbose() {
        return verbose;
    }

    /** The option of type {@code type}, if the caller set one. */
    public <T> Optional<T> option(Class<T> type) {
        return Optional.ofNullable(type.cast(options.get(type)));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorkerSpec s
                && nJobs == s.nJobs
                && verbose == s.verbose
                && Objects.equals(timeout, s.timeout)
                && Objects.equals(initializer, s.initializer)
                && options.equals(s.options);
    }

    @Override
    public int hashCode() {
        return Objects.hash(nJobs, timeout, initializer, verbose, options);
    }

    @Override
    public String toString() {
        return "WorkerSpec[nJobs=" + nJobs + ", timeout=" + timeout + ", initializer=" + initializer + ", verbose="
                + verbose + ", options=" + options.values() + "]";
    }

    /** Builds a {@link WorkerSpec}. */
    public static final class Builder {
        private final int nJobs;
        private @Nullable Duration timeout;
        private @Nullable SerializableRunnable initializer;
        private int verbose;
        private final Map<Class<?>, Object> options = new LinkedHashMap<>();

        private Builder(int nJobs) {
            if (nJobs < 1) {
                throw new IllegalArgumentException("nJobs must be at least 1 for a backend, got " + nJobs);
            }
            this.nJobs = nJobs;
        }

        /**
         * The longest a single task may run, or null for no limit (the default).
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder timeout(@Nullable Duration timeout) {
            if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** Run once in each worker before its first task, or null for none (the default). */
        public Builder initializer(@Nullable SerializableRunnable initializer) {
            this.initializer = initializer;
            return this;
        }

        /** joblib's verbosity level (default 0). */
        public Builder verbose(int verbose) {
            this.verbose = verbose;
            return this;
        }

        /**
         * Sets the option of type {@code type}, replacing an earlier one; null removes it. Options should be
         * immutable values with {@code equals}.
         */
        public <T> Builder option(Class<T> type, @Nullable T value) {
            Objects.requireNonNull(type, "type");
            if (value == null) {
                options.remove(type);
            } else {
                options.put(type, type.cast(value));
            }
            return this;
        }

        /** The spec. */
        public WorkerSpec build() {
            return new WorkerSpec(this);
        }
    }
}
