/**
 * The cluster backend of joblib4j: {@code Parallel} calls on a Hazelcast cluster, selected by name with
 * {@code backend("hazelcast")} or given as a {@link io.joblib4j.hazelcast.HazelcastBackend}.
 */
// Hazelcast ships no module descriptor; its types are part of this module's API (configs, the instance).
@SuppressWarnings("requires-transitive-automatic")
module io.joblib4j.hazelcast {
    exports io.joblib4j.hazelcast;

    requires transitive io.joblib4j.core;
    requires transitive com.hazelcast.core;
    requires java.logging;

    provides io.joblib4j.backend.BackendProvider with
            io.joblib4j.hazelcast.HazelcastBackendProvider;
}
