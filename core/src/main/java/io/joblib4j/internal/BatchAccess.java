package io.joblib4j.internal;

import io.joblib4j.SerializableFunction1;
import io.joblib4j.Task;
import io.joblib4j.backend.Batch;
import java.lang.invoke.MethodHandles;
import java.util.List;

/**
 * Makes {@link Batch}es and reads the configuration they carry, for {@code Parallel} and the built-in backends:
 * both are implementation details that the backend SPI does not expose.
 */
public final class BatchAccess {
    /** Implemented by {@link Batch} itself. */
    public interface Factory {
        Batch ofTasks(long firstIndex, Task<?>[] tasks, ConfigFrame context);

        Batch ofCalls(long firstIndex, SerializableFunction1<?, ?> function, Object[] arguments, ConfigFrame context);

        ConfigFrame context(Batch batch);
    }

    private static volatile Factory factory;

    private BatchAccess() {}

    /** Called once, by {@link Batch}'s static initializer. */
    public static void install(Factory f) {
        factory = f;
    }

    private static Factory factory() {
        Factory f = factory;
        if (f == null) {
            try {
                MethodHandles.lookup().ensureInitialized(Batch.class);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
            f = factory;
        }
        return f;
    }

    /** A batch of tasks, task {@code i} having input index {@code firstIndex + i}; the array is kept as it is. */
    public static Batch ofTasks(long firstIndex, Task<?>[] tasks, ConfigFrame context) {
        return factory().ofTasks(firstIndex, tasks, context);
    }

    /** A batch of tasks, task {@code i} having input index {@code firstIndex + i}. */
    public static Batch ofTasks(long firstIndex, List<? extends Task<?>> tasks, ConfigFrame context) {
        return factory().ofTasks(firstIndex, tasks.toArray(new Task<?>[0]), context);
    }

    /** A batch of calls {@code function.apply(arguments[i])}; the array is kept as it is. */
    public static Batch ofCalls(
            long firstIndex, SerializableFunction1<?, ?> function, Object[] arguments, ConfigFrame context) {
        return factory().ofCalls(firstIndex, function, arguments, context);
    }

    /** The configuration the batch's tasks run with. */
    public static ConfigFrame context(Batch batch) {
        return factory().context(batch);
    }
}
