package io.joblib4j.backend;

/** Receives a batch's outcome from a backend's worker. Called once per batch, from any thread; must not block. */
@FunctionalInterface
public interface BatchListener {
    void done(BatchResult result);
}
