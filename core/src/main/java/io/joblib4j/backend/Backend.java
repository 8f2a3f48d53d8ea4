package io.joblib4j.backend;

import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Where {@link io.joblib4j.parallel.Parallel} runs its tasks: an SPI. {@code Parallel} does the batching, the
 * bounded dispatch, ordering, progress and error handling; a backend only runs the {@link Batch}es it is given on
 * its workers and reports each one's {@link BatchResult}.
 *
 * <p>Built-in backends, by name: {@code "sequential"}, {@code "threads"} (the default), {@code "virtual"} and, from
 * the process package's {@link BackendProvider}, {@code "processes"}. More can be added by name with {@link #register(String, Supplier)} or a
 * {@link BackendProvider} found by {@link java.util.ServiceLoader}.
 *
 * <p>Implementations must be thread-safe: {@link #open(WorkerSpec)} may be called from any thread.
 */
public interface Backend {

    /** The name the backend is selected by, such as {@code "threads"}. */
    String name();

    /**
     * The class-like name joblib's verbose messages show, such as {@code ThreadingBackend}:
     * {@code [Parallel(n_jobs=2)]: Using backend ThreadingBackend with 2 concurrent workers.}
     */
    default String displayName() {
        return getClass().getSimpleName();
    }

    /** True if tasks run in the caller's JVM and share its memory; {@code Require.SHAREDMEM} accepts only these. */
    boolean sharedMemory();

    /**
     * The number of workers this backend will really use for a requested, already resolved {@code nJobs >= 1}
     * (a sequential backend answers 1).
     */
    default int effectiveNJobs(int nJobs) {
        return nJobs;
    }

    /**
     * The shortest time, in seconds, a batch should take: automatic batching grows batches that finish faster
     * (joblib's {@code MIN_IDEAL_BATCH_DURATION}, 0.2 s, suits process pools whose every batch pays for
     * serialization). In-process backends answer 0.01 s: handing a batch to a thread costs microseconds, and small
     * batches keep streams' memory low and the load even.
     */
    default double minBatchSeconds() {
        return 0.2;
    }

    /**
     * The backend and worker count that {@code Parallel} calls made inside a task running on this backend use when
     * they name none themselves, so nesting never oversubscribes the machine.
     */
    Nested nested();

    /**
     * Acquires workers for one call of {@code Parallel}, or for all the calls made on a {@code Parallel} inside a
     * try-with-resources block.
     */
    Workers open(WorkerSpec spec);

    /**
     * The defaults for calls made inside a task: a backend name and a worker count (null leaves it unset).
     * Immutable and serializable: it travels with tasks to other JVMs.
     */
    final class Nested implements java.io.Serializable {
        @java.io.Serial
        private static final long serialVersionUID = 1L;

        private final @Nullable String backend;
        private final @Nullable Integer nJobs;

        /**
         * @param backend the backend name for nested calls, or null to leave it unset
         * @param nJobs   the worker count for nested calls, or null to leave it unset
         */
        public Nested(@Nullable String backend, @Nullable Integer nJobs) {
            this.backend = backend;
            this.nJobs = nJobs;
        }

        /** The backend name for nested calls, or null when unset. */
        public @Nullable String backend() {
            return backend;
        }

        /** The worker count for nested calls, or null when unset. */
        public @Nullable Integer nJobs() {
            return nJobs;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Nested n
                    && java.util.Objects.equals(backend, n.backend)
                    && java.util.Objects.equals(nJobs, n.nJobs);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(backend, nJobs);
        }

        @Override
        public String toString() {
            return "Nested[backend=" + backend + ", nJobs=" + nJobs + "]";
        }
    }

    /** Runs every task in the caller's thread, one after another. */
    static Backend sequential() {
        return InProcessBackends.SEQUENTIAL;
    }

    /** A pool of platform threads, one per worker: the default backend. */
    static Backend threads() {
        return InProcessBackends.THREADS;
    }

    /** One virtual thread per running task, at most {@code nJobs} at a time: for tasks that mostly wait. */
    static Backend virtual() {
        return InProcessBackends.VIRTUAL;
    }

    /**
     * Makes a backend available by name. A later registration under the same name replaces the earlier one.
     *
     * @throws IllegalArgumentException if the name is blank or a built-in backend's name
     */
    static void register(String name, Supplier<? extends Backend> factory) {
        BackendRegistry.register(name, factory);
    }

    /**
     * The backend registered under {@code name}.
     *
     * @throws IllegalArgumentException naming the valid names, if there is none
     */
    static Backend named(String name) {
        return BackendRegistry.create(name);
    }

    /** The names of all backends available now, built-in, registered and from {@link BackendProvider}s. */
    static java.util.SortedSet<String> names() {
        return BackendRegistry.names();
    }
}
