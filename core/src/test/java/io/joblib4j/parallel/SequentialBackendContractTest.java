package io.joblib4j.parallel;

class SequentialBackendContractTest extends BackendContractTest {
    @Override
    protected String backendName() {
        return "sequential";
    }

    @Override
    protected boolean concurrent() {
        return false;
    }

    @Override
    protected int nJobs() {
        return 1;
    }
}
