package io.joblib4j;

import java.io.Serializable;

/** A {@link Runnable} that is {@link Serializable}, such as a worker initializer sent to worker JVMs. */
@FunctionalInterface
public interface SerializableRunnable extends Runnable, Serializable {}
