package io.joblib4j.parallel;

/** A hard constraint on the backend (joblib's {@code require}). */
public enum Require {
    /** Tasks must share the caller's memory: only in-process backends qualify; a named process backend is refused. */
    SHAREDMEM
}
