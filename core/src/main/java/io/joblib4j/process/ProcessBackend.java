package io.joblib4j.process;

import io.joblib4j.SerializableRunnable;
import io.joblib4j.backend.Backend;
import io.joblib4j.backend.WorkerSpec;
import io.joblib4j.backend.Workers;
import org.jspecify.annotations.Nullable;

/** The {@code processes} backend: leases worker JVMs from a {@link ProcessPool}'s pool for each call. */
final class ProcessBackend implements Backend {
    private final WorkerPool pool;
    private final @Nullable SerializableRunnable initializer;

    /** @param initializer the pool's initializer, run once per worker before the call's own; null for none */
    ProcessBackend(WorkerPool pool, @Nullable SerializableRunnable initializer) {
        this.pool = pool;
        this.initializer = initializer;
    }

    @Override
    public String name() {
        return "processes";
    }

    @Override
    public String displayName() {
        return "ProcessBackend";
    }

    @Override
    public boolean sharedMemory() {
        return false;
    }

    @Override
    public Nested nested() {
        return new Nested("threads", 1);
    }

    @Override
    public Workers open(WorkerSpec spec) {
        return new CallWorkers(pool, spec, initializer);
    }

    @Override
    public String toString() {
        return name();
    }
}
