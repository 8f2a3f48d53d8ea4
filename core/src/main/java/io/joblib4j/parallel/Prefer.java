package io.joblib4j.parallel;

/** A soft hint for the backend when none is named (joblib's {@code prefer}); ignored when a backend is set. */
public enum Prefer {
    /** In-process threads: the default, and best for CPU work in Java (no GIL). */
    THREADS,
    /** Worker JVM processes: isolation, hard timeouts, per-worker native state. */
    PROCESSES
}
