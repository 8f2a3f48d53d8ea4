package io.joblib4j.backend;

/**
 * A source of backends found with {@link java.util.ServiceLoader}: list the implementation in
 * {@code META-INF/services/io.joblib4j.backend.BackendProvider} (or {@code provides} it from a module) and its
 * backend becomes available by name in {@code Parallel.builder().backend(name)}.
 */
public interface BackendProvider {
    /** The name users select the backend by, such as {@code "hazelcast"}. */
    String name();

    /** A new backend instance; called once per {@code Parallel} that selects it by name. */
    Backend create();
}
