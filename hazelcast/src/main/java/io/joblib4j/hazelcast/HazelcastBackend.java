package io.joblib4j.hazelcast;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import io.joblib4j.backend.Backend;
import io.joblib4j.backend.WorkerSpec;
import io.joblib4j.backend.Workers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster backend: runs {@code Parallel} calls on the members of a Hazelcast cluster.
 *
 * <pre>{@code
 * try (HazelcastBackend cluster = HazelcastBackend.connect("10.0.0.5:5701", "10.0.0.6:5701");
 *      Parallel p = Parallel.builder().backend(cluster).nJobs(-1).build()) {
 *     List<Double> roots = p.map(Math::sqrt, inputs);
 * }
 * }</pre>
 *
 * <p>Batches go to the member with the most free slots (a member never holds more batches than its slots). Each batch
 * keeps the first result that comes back for it: when a member leaves mid-call, its batches run again on the others
 * at once and the call still returns every result exactly once. Execution is therefore at-least-once: a task whose
 * side effects must happen once can read {@link io.joblib4j.Joblib#currentAttempt()}. When no member is left, the
 * call fails promptly with a {@link io.joblib4j.parallel.WorkerCrashedException} naming the members lost.
 *
 * <p>Primitive arrays and {@code NdArray}s larger than {@code maxNbytes} (1 MiB by default) reachable from a call's
 * tasks are published once per call under their content hash and fetched once by each member that needs them; they
 * are dropped when the call ends. The tasks' classes must be on the members' class path ({@code ./joblib4j worker
 * --classpath}).
 *
 * <p>A Hazelcast cluster of the community edition has no TLS and no authentication: run it on a trusted network
 * only. Members and clients made here refuse known deserialization gadget classes.
 */
public final class HazelcastBackend implements Backend, AutoCloseable {
    static final String EXECUTOR = "joblib4j";
    /** The member attribute that advertises a member's slots. */
    static final String SLOTS_ATTRIBUTE = "joblib4j.slots";

    private final HazelcastInstance instance;
    private final List<ClusterMember> owned;
    private final boolean ownsInstance;
    private final Set<ClusterWorkers> open = ConcurrentHashMap.newKeySet();

    private HazelcastBackend(HazelcastInstance instance, List<ClusterMember> owned, boolean ownsInstance) {
        this.instance = instance;
        this.owned = owned;
        this.ownsInstance = ownsInstance;
        CallbackThreads.install();
    }

    /**
     * A client of a running cluster, connected to the members at these addresses ({@code host:port}), in the
     * cluster named {@code joblib4j}.
     *
     * @throws IllegalArgumentException if no address is given or one is not {@code host:port}
     * @throws IllegalStateException    if no member can be reached within the connection timeout
     */
    public static HazelcastBackend connect(String... members) {
        return connect(Configs.client(ClusterMember.DEFAULT_CLUSTER_NAME, members));
    }

    /**
     * The client configuration {@link #connect(String...)} uses, for another cluster name or to change settings
     * before {@link #connect(ClientConfig)}: TCP to the given members, the deserialization filter, a 20 s limit to
     * reach the cluster.
     */
    public static ClientConfig clientConfig(String clusterName, String... members) {
        return Configs.client(clusterName, members);
    }

    /** A client of a running cluster, with the given configuration (the deserialization filter is added if unset). */
    public static HazelcastBackend connect(ClientConfig config) {
        if (config.getSerializationConfig().getJavaSerializationFilterConfig() == null) {
            config.getSerializationConfig().setJavaSerializationFilterConfig(Security.hazelcastFilter());
        }
        HazelcastInstance client;
        try {
            client = HazelcastClient.newHazelcastClient(config);
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "could not connect to the Hazelcast cluster '" + config.getClusterName() + "' at "
                            + config.getNetworkConfig().getAddresses() + ": " + e.getMessage(),
                    e);
        }
        return new HazelcastBackend(client, List.of(), true);
    }

    /** A backend on an instance (member or client) the application already has; {@link #close()} leaves it running. */
    public static HazelcastBackend of(HazelcastInstance instance) {
        return new HazelcastBackend(instance, List.of(), false);
    }

    /**
     * Starts {@code members} members in this JVM, on 127.0.0.1 with free ports, each with as many slots as this
     * machine has CPUs divided among them (at least 1), and a client of them: for tests, notebooks and demos.
     * {@link #close()} shuts them down.
     */
    public static HazelcastBackend embedded(int members) {
        if (members < 1) {
            throw new IllegalArgumentException("embedded needs at least 1 member, got " + members);
        }
        int slots = Math.max(1, io.joblib4j.Joblib.cpuCount() / members);
        return embedded(members, slots);
    }

    /** As {@link #embedded(int)}, with {@code slots} slots on each member. */
    public static HazelcastBackend embedded(int members, int slots) {
        if (members < 1) {
            throw new IllegalArgumentException("embedded needs at least 1 member, got " + members);
        }
        String cluster = "joblib4j-embedded-" + java.util.UUID.randomUUID();
        List<ClusterMember> started = new ArrayList<>();
        try {
            ClusterMember first =
                    ClusterMember.builder().clusterName(cluster).slots(slots).start();
            started.add(first);
            for (int i = 1; i < members; i++) {
                started.add(ClusterMember.builder()
                        .clusterName(cluster)
                        .slots(slots)
                        .join(first.address())
                        .start());
            }
            HazelcastInstance client = HazelcastClient.newHazelcastClient(Configs.client(
                    cluster, started.stream().map(ClusterMember::address).toArray(String[]::new)));
            return new HazelcastBackend(client, List.copyOf(started), true);
        } catch (RuntimeException | Error e) {
            started.forEach(ClusterMember::close);
            throw e;
        }
    }

    /** The members started by {@link #embedded(int)} (empty for other backends). */
    public List<ClusterMember> embeddedMembers() {
        return owned;
    }

    /** The Hazelcast instance (a client, or the application's member) this backend submits through. */
    public HazelcastInstance instance() {
        return instance;
    }

    @Override
    public String name() {
        return "hazelcast";
    }

    @Override
    public String displayName() {
        return "HazelcastBackend";
    }

    @Override
    public boolean sharedMemory() {
        return false;
    }

    /** The slots of all data members now: what {@code nJobs(-1)} means on this backend. */
    @Override
    public OptionalInt allWorkers() {
        int total = members().values().stream().mapToInt(Integer::intValue).sum();
        return total > 0 ? OptionalInt.of(total) : OptionalInt.empty();
    }

    /** Batches on a network: 50 ms at least, so a round trip (about a millisecond on a LAN) stays in the noise. */
    @Override
    public double minBatchSeconds() {
        return 0.05;
    }

    @Override
    public Nested nested() {
        return new Nested("threads", 1);
    }

    /** The data members, as {@code host:port}, with their slots, in the cluster's order. */
    public Map<String, Integer> members() {
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        for (Member m : instance.getCluster().getMembers()) {
            if (!m.isLiteMember()) {
                out.put(describe(m), slotsOf(m));
            }
        }
        return out;
    }

    @Override
    public Workers open(WorkerSpec spec) {
        if (!instance.getLifecycleService().isRunning()) {
            throw new IllegalStateException("the HazelcastBackend is closed");
        }
        ClusterWorkers w = new ClusterWorkers(this, instance, spec);
        open.add(w);
        return w;
    }

    void closed(ClusterWorkers w) {
        open.remove(w);
    }

    /** Shuts down the client and the members this backend started; an instance given to {@link #of} keeps running. */
    @Override
    public void close() {
        for (ClusterWorkers w : List.copyOf(open)) {
            w.close();
        }
        if (ownsInstance) {
            instance.shutdown();
        }
        for (ClusterMember m : owned) {
            m.close();
        }
    }

    static String describe(Member m) {
        return m.getAddress().getHost() + ":" + m.getAddress().getPort();
    }

    static int slotsOf(Member m) {
        String s = m.getAttribute(SLOTS_ATTRIBUTE);
        if (s == null) {
            return 1;
        }
        try {
            return Math.max(1, Integer.parseInt(s));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    @Override
    public String toString() {
        return "HazelcastBackend" + members();
    }
}
