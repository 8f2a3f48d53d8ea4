package io.joblib4j.parallel;

import io.joblib4j.hazelcast.ClusterMember;
import io.joblib4j.hazelcast.HazelcastBackendProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The backend contract on a cluster of 2 members (in this JVM, on 127.0.0.1), selected by name through
 * {@value HazelcastBackendProvider#MEMBERS_PROPERTY} as library code would.
 */
class HazelcastBackendContractTest extends BackendContractTest {
    private static ClusterMember first;
    private static ClusterMember second;

    @BeforeAll
    static void startCluster() {
        String name = "contract-" + ProcessHandle.current().pid();
        first = ClusterMember.builder().clusterName(name).slots(2).start();
        second = ClusterMember.builder()
                .clusterName(name)
                .slots(2)
                .join(first.address())
                .start();
        System.setProperty(HazelcastBackendProvider.CLUSTER_NAME_PROPERTY, name);
        System.setProperty(HazelcastBackendProvider.MEMBERS_PROPERTY, first.address() + "," + second.address());
    }

    @AfterAll
    static void stopCluster() {
        System.clearProperty(HazelcastBackendProvider.MEMBERS_PROPERTY);
        System.clearProperty(HazelcastBackendProvider.CLUSTER_NAME_PROPERTY);
        HazelcastBackendProvider.closeShared();
        second.close();
        first.close();
    }

    @Override
    protected String backendName() {
        return "hazelcast";
    }

    @Override
    protected boolean inProcess() {
        return false;
    }
}
