package io.joblib4j.internal;

import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Lets a serializer substitute objects whose class defines {@code writeReplace} (which Java serialization calls
 * before {@code ObjectOutputStream.replaceObject}): such a class asks {@link #replace} first. The process backend
 * uses it to send large {@code NdArray}s as references to shared memory instead of copying their bytes.
 */
public final class SerializationHook {
    private static final ThreadLocal<UnaryOperator<Object>> CURRENT = new ThreadLocal<>();

    private SerializationHook() {}

    /** The substitute for {@code obj} chosen by the serializer running in this thread, or null for none. */
    public static @Nullable Object replace(Object obj) {
        UnaryOperator<Object> hook = CURRENT.get();
        return hook == null ? null : hook.apply(obj);
    }

    /** Installs {@code hook} for this thread; returns the previous one, to restore. */
    public static @Nullable UnaryOperator<Object> install(@Nullable UnaryOperator<Object> hook) {
        UnaryOperator<Object> previous = CURRENT.get();
        if (hook == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(hook);
        }
        return previous;
    }
}
