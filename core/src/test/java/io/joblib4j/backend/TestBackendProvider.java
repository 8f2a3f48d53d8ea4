package io.joblib4j.backend;

/** A provider found by ServiceLoader in the tests: a thread backend under another name. */
public final class TestBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "test-provided";
    }

    @Override
    public Backend create() {
        return new Backend() {
            @Override
            public String name() {
                return "test-provided";
            }

            @Override
            public boolean sharedMemory() {
                return true;
            }

            @Override
            public Nested nested() {
                return new Nested("sequential", 1);
            }

            @Override
            public Workers open(WorkerSpec spec) {
                return Backend.threads().open(spec);
            }
        };
    }
}
