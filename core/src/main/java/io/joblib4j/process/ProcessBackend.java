package io.joblib4j.process;

import io.joblib4j.backend.Backend;
import io.joblib4j.backend.WorkerSpec;
import io.joblib4j.backend.Workers;

/** The {@code processes} backend: leases worker JVMs from a {@link ProcessPool}'s pool for each call. */
final class ProcessBackend implements Backend {
    private final WorkerPool pool;

    ProcessBackend(WorkerPool pool) {
        this.pool = pool;
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
        return new CallWorkers(pool, spec);
    }

    @Override
    public String toString() {
        return name();
    }
}
