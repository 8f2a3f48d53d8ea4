package io.joblib4j.hazelcast.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.hazelcast.HazelcastBackend;
import io.joblib4j.hazelcast.HazelcastBackendProvider;
import io.joblib4j.parallel.Parallel;
import io.joblib4j.parallel.ParallelConfig;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The examples of README.md and docs/cluster.md, run as tests. */
@Timeout(120)
class ClusterDocExamplesTest {

    @Test
    void readme_clusterInThirtySeconds() {
        // region cluster-30-seconds
        List<Integer> squares;
        // Two members in this JVM for a first try; on real machines run ./joblib4j worker on each and
        // use HazelcastBackend.connect("10.0.0.5:5701", "10.0.0.6:5701")
        try (HazelcastBackend cluster = HazelcastBackend.embedded(2);
                Parallel p = Parallel.builder().backend(cluster).nJobs(-1).build()) {
            squares = p.map(i -> i * i, IntStream.range(0, 100).boxed().toList());
        }
        // [0, 1, 4, 9, ..., 9801], computed on both members
        // endregion
        assertThat(squares).hasSize(100).endsWith(9801);
    }

    // region library-code
    // Library code that knows nothing of clusters:
    static double sumOfRoots(List<Double> xs) {
        return Parallel.builder().build().map(Math::sqrt, xs).stream()
                .mapToDouble(d -> d)
                .sum();
    }
    // endregion

    @Test
    void byName_libraryCodeRunsOnTheClusterUnderAConfigScope() {
        try (HazelcastBackend cluster = HazelcastBackend.embedded(2)) {
            String members = String.join(",", cluster.members().keySet());
            System.setProperty(HazelcastBackendProvider.MEMBERS_PROPERTY, members);
            System.setProperty(
                    HazelcastBackendProvider.CLUSTER_NAME_PROPERTY,
                    cluster.embeddedMembers().getFirst().clusterName());
            try {
                double total;
                // region by-name
                // The application picks the cluster: -Djoblib4j.hazelcast.members=host1:5701,host2:5701
                try (var _ =
                        ParallelConfig.builder().backend("hazelcast").nJobs(-1).open()) {
                    total = sumOfRoots(List.of(1.0, 4.0, 9.0)); // 6.0, computed on the cluster
                }
                // endregion
                assertThat(total).isEqualTo(6.0);
            } finally {
                System.clearProperty(HazelcastBackendProvider.MEMBERS_PROPERTY);
                System.clearProperty(HazelcastBackendProvider.CLUSTER_NAME_PROPERTY);
                HazelcastBackendProvider.closeShared();
            }
        }
    }
}
