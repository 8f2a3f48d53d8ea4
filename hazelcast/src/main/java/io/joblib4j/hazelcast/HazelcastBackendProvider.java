package io.joblib4j.hazelcast;

import io.joblib4j.backend.Backend;
import io.joblib4j.backend.BackendProvider;
import java.util.Arrays;

/**
 * The backend named {@code "hazelcast"}: a client of the cluster whose members are listed, comma-separated, in the
 * system property {@value #MEMBERS_PROPERTY} or else the environment variable {@value #MEMBERS_ENV}.
 */
public final class HazelcastBackendProvider implements BackendProvider {
    /** The system property that lists the members to connect to, as {@code host:port,host:port}. */
    public static final String MEMBERS_PROPERTY = "joblib4j.hazelcast.members";
    /** The environment variable read when the system property is not set. */
    public static final String MEMBERS_ENV = "JOBLIB4J_HAZELCAST_MEMBERS";

    /** The system property with the cluster's name (default {@value ClusterMember#DEFAULT_CLUSTER_NAME}). */
    public static final String CLUSTER_NAME_PROPERTY = "joblib4j.hazelcast.clusterName";
    /** The environment variable read for the cluster's name when the system property is not set. */
    public static final String CLUSTER_NAME_ENV = "JOBLIB4J_HAZELCAST_CLUSTER_NAME";

    static String clusterName() {
        String name = System.getProperty(CLUSTER_NAME_PROPERTY);
        if (name == null || name.isBlank()) {
            name = System.getenv(CLUSTER_NAME_ENV);
        }
        return name == null || name.isBlank() ? ClusterMember.DEFAULT_CLUSTER_NAME : name;
    }

    /** Closes the clients shared by backends selected by name (they are otherwise kept until the JVM exits). */
    public static void closeShared() {
        synchronized (SHARED) {
            SHARED.values().forEach(HazelcastBackend::close);
            SHARED.clear();
        }
    }

    private static final java.util.Map<String, HazelcastBackend> SHARED = new java.util.HashMap<>();

    @Override
    public String name() {
        return "hazelcast";
    }

    /**
     * A backend connected to the members the property or environment variable lists.
     *
     * @throws IllegalStateException naming both settings when neither lists a member
     */
    @Override
    public Backend create() {
        String members = System.getProperty(MEMBERS_PROPERTY);
        String source = "system property " + MEMBERS_PROPERTY;
        if (members == null || members.isBlank()) {
            members = System.getenv(MEMBERS_ENV);
            source = "environment variable " + MEMBERS_ENV;
        }
        if (members == null || members.isBlank()) {
            throw new IllegalStateException("backend 'hazelcast' needs the addresses of cluster members: set the "
                    + "system property " + MEMBERS_PROPERTY + " or the environment variable " + MEMBERS_ENV
                    + " to host:port[,host:port...] (members are started with ./joblib4j worker), or pass "
                    + "HazelcastBackend.connect(...) to Parallel.builder().backend(...)");
        }
        String[] addresses = Arrays.stream(members.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toArray(String[]::new);
        try {
            // One client per address list, shared by the Parallel instances that select the backend by name.
            String key = clusterName() + "/" + String.join(",", addresses);
            synchronized (SHARED) {
                HazelcastBackend b = SHARED.get(key);
                if (b == null || !b.instance().getLifecycleService().isRunning()) {
                    b = HazelcastBackend.connect(Configs.client(clusterName(), addresses));
                    SHARED.put(key, b);
                }
                return b;
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "backend 'hazelcast' could not connect to " + members + " (from the " + source + "): "
                            + e.getMessage(),
                    e);
        }
    }
}
