package io.joblib4j.parallel;

class ThreadsBackendContractTest extends BackendContractTest {
    @Override
    protected String backendName() {
        return "threads";
    }
}
