package io.joblib4j.parallel;

class VirtualBackendContractTest extends BackendContractTest {
    @Override
    protected String backendName() {
        return "virtual";
    }

    @Override
    protected int nJobs() {
        return 4;
    }
}
