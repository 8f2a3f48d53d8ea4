package io.joblib4j.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.map.IMap;
import io.joblib4j.Joblib;
import io.joblib4j.array.NdArray;
import io.joblib4j.parallel.Parallel;
import io.joblib4j.parallel.TaskFailedException;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;
import javax.management.BadAttributeValueExpException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cluster backend on 3 members in this JVM (embedded, on 127.0.0.1): large arrays cross to each member once
 * per call and are dropped when it ends, the deserialization filter refuses gadget classes on members and clients,
 * tasks see their attempt number, the provider's errors name its settings.
 */
@Timeout(120)
class EmbeddedClusterTest {
    private static HazelcastBackend cluster;

    @BeforeAll
    static void start() {
        cluster = HazelcastBackend.embedded(3, 2);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static long[] totals() {
        long[] sum = new long[4];
        for (ClusterMember m : cluster.embeddedMembers()) {
            long[] s = m.stats();
            for (int i = 0; i < 4; i++) {
                sum[i] += s[i];
            }
        }
        return sum;
    }

    @Test
    void embedded_listsItsMembersAndSlots() {
        assertThat(cluster.name()).isEqualTo("hazelcast");
        assertThat(cluster.members()).hasSize(3).containsValues(2, 2, 2);
        assertThat(cluster.members().keySet()).allMatch(a -> a.startsWith("127.0.0.1:"));
        assertThat(cluster.allWorkers()).hasValue(6);
    }

    @Test
    void largeArray_usedByManyTasks_crossesToEachMemberOncePerCall() {
        double[] big = new double[1 << 19]; // 4 MiB
        for (int i = 0; i < big.length; i++) {
            big[i] = i;
        }
        NdArray matrix = NdArray.wrap(new double[1 << 18]); // 2 MiB
        long bytes = 8L * big.length + 8L * (1 << 18);
        long[] before = totals();
        try (Parallel p =
                Parallel.builder().backend(cluster).nJobs(6).batchSize(1).build()) {
            List<Double> sums = p.map(
                    i -> big[i] + big[big.length - 1] + matrix.size(),
                    IntStream.range(0, 60).boxed().toList());
            assertThat(sums).hasSize(60).first().isEqualTo(0.0 + (big.length - 1) + (1 << 18));
        }
        long[] after = totals();
        long fetches = after[0] - before[0];
        long fetchedBytes = after[1] - before[1];
        // 2 arrays, at most once per member: 6 fetches and 3 x their bytes, for 60 tasks.
        assertThat(fetches).isBetween(2L, 6L);
        assertThat(fetchedBytes).isLessThanOrEqualTo(3 * bytes);
        // Dropped when the call ends.
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> totals()[3] == 0);
    }

    @Test
    void largeArray_payloadsCarryOnlyItsHash() {
        long[] big = new long[1 << 18]; // 2 MiB
        try (ClusterWorkers w = (ClusterWorkers) cluster.open(io.joblib4j.backend.WorkerSpec.of(4))) {
            try (Parallel p = Parallel.builder()
                    .backend(new Fixed(w))
                    .nJobs(4)
                    .batchSize(1)
                    .build()) {
                p.map(i -> big.length + i, IntStream.range(0, 40).boxed().toList());
            }
            assertThat(w.payloadBytes())
                    .as("40 batches, without the 2 MiB array")
                    .isLessThan(200_000);
        }
    }

    /** A backend that hands out the given workers, to look at them after the call. */
    private record Fixed(ClusterWorkers workers) implements io.joblib4j.backend.Backend {
        @Override
        public String name() {
            return "hazelcast";
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
        public io.joblib4j.backend.Workers open(io.joblib4j.backend.WorkerSpec spec) {
            return new io.joblib4j.backend.Workers() {
                @Override
                public int size() {
                    return workers.size();
                }

                @Override
                public void submit(io.joblib4j.backend.Batch batch, io.joblib4j.backend.BatchListener listener) {
                    workers.submit(batch, listener);
                }

                @Override
                public void abort() {
                    workers.abort();
                }

                @Override
                public void callEnded() {
                    workers.callEnded();
                }

                @Override
                public void close() {}
            };
        }
    }

    @Test
    void deserializationFilter_memberRefusesAGadgetInATask() {
        BadAttributeValueExpException gadget = new BadAttributeValueExpException("payload");
        try (Parallel p = Parallel.builder().backend(cluster).nJobs(2).build()) {
            Throwable t = catchThrowable(() -> p.map(i -> gadget.toString().length() + i, List.of(1)));
            assertThat(t).isInstanceOf(TaskFailedException.class);
            assertThat(t)
                    .rootCause()
                    .hasMessageContaining("refused to deserialize")
                    .hasMessageContaining("javax.management.BadAttributeValueExpException");
        }
    }

    /** A callable sent with Hazelcast's own serialization, carrying a gadget class. */
    static final class CarriesGadget implements Callable<String>, Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        final Object gadget = new BadAttributeValueExpException("payload");

        @Override
        public String call() {
            return "ran";
        }
    }

    @Test
    void deserializationFilter_membersAndClientsRefuseGadgetsInHazelcastsOwnSerialization() {
        IExecutorService executor = cluster.instance().getExecutorService(HazelcastBackend.EXECUTOR);
        Member member = cluster.instance().getCluster().getMembers().iterator().next();
        Throwable onMember = catchThrowable(
                () -> executor.submitToMember(new CarriesGadget(), member).get());
        assertThat(onMember).isInstanceOf(ExecutionException.class);
        assertThat(onMember).rootCause().hasMessageContaining("BadAttributeValueExpException");

        // A member's own map holds a gadget (put through the member, not filtered on the way in): the client's
        // filter refuses it on the way out.
        IMap<String, Object> onMemberMap =
                cluster.embeddedMembers().getFirst().instance().getMap("gadgets");
        List<Object> holder = new ArrayList<>();
        holder.add(new BadAttributeValueExpException("payload"));
        onMemberMap.put("k", holder);
        IMap<String, Object> fromClient = cluster.instance().getMap("gadgets");
        assertThatThrownBy(() -> fromClient.get("k")).rootCause().hasMessageContaining("BadAttributeValueExpException");
        onMemberMap.destroy();
    }

    static int attempt(int ignored) {
        return Joblib.currentAttempt();
    }

    @Test
    void tasks_onTheirFirstRun_seeAttemptOne() {
        try (Parallel p = Parallel.builder().backend(cluster).nJobs(-1).build()) {
            assertThat(p.map(EmbeddedClusterTest::attempt, Collections.nCopies(20, 0)))
                    .containsOnly(1);
        }
    }

    @Test
    void provider_withoutMembers_namesThePropertyAndTheVariable() {
        String before = System.getProperty(HazelcastBackendProvider.MEMBERS_PROPERTY);
        System.clearProperty(HazelcastBackendProvider.MEMBERS_PROPERTY);
        try {
            if (System.getenv(HazelcastBackendProvider.MEMBERS_ENV) == null) {
                assertThatThrownBy(() -> Parallel.builder()
                                .backend("hazelcast")
                                .nJobs(2)
                                .build()
                                .map(EmbeddedClusterTest::attempt, List.of(1)))
                        .hasMessageContaining("joblib4j.hazelcast.members")
                        .hasMessageContaining("JOBLIB4J_HAZELCAST_MEMBERS");
            }
        } finally {
            if (before != null) {
                System.setProperty(HazelcastBackendProvider.MEMBERS_PROPERTY, before);
            }
        }
    }

    @Test
    void connect_badAddress_namesIt() {
        assertThatThrownBy(() -> HazelcastBackend.connect("localhost"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'localhost'")
                .hasMessageContaining("host:port");
        assertThatThrownBy(() -> HazelcastBackend.embedded(0)).hasMessageContaining("got 0");
    }
}
