package io.joblib4j.process;

import io.joblib4j.backend.Backend;
import io.joblib4j.backend.BackendProvider;

/**
 * Provides the {@code "processes"} backend: the workers of {@link ProcessPool#shared()}. Listed in core's
 * {@code module-info} ({@code provides}) and in {@code META-INF/services} for the class path.
 */
public final class ProcessBackendProvider implements BackendProvider {
    /** Made by {@link java.util.ServiceLoader}. */
    public ProcessBackendProvider() {}

    @Override
    public String name() {
        return "processes";
    }

    @Override
    public Backend create() {
        return ProcessPool.shared().backend();
    }
}
