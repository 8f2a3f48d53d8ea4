package io.joblib4j;

import java.io.Serializable;
import java.util.function.Supplier;

/** A {@link Supplier} that is {@link Serializable}, so that it can be sent to worker JVMs and identified by caches. */
@FunctionalInterface
public interface SerializableSupplier<R> extends Supplier<R>, Serializable {}
