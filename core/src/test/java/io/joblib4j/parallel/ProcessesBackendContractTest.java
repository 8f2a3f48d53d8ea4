package io.joblib4j.parallel;

/** The backend contract on worker JVMs (the shared pool of the {@code processes} backend). */
class ProcessesBackendContractTest extends BackendContractTest {
    @Override
    protected String backendName() {
        return "processes";
    }

    @Override
    protected boolean inProcess() {
        return false;
    }
}
