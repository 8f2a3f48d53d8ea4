package io.joblib4j.internal;

import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.Collection;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Short human-readable forms of functions, arguments and calls for messages and error reports. */
public final class Describe {
    private static final int MAX_ARG_CHARS = 60;

    private Describe() {}

    /** The serialized form of a serializable lambda or method reference, or null for anything else. */
    public static @Nullable SerializedLambda serializedLambda(Object function) {
        if (!(function instanceof Serializable)) {
            return null;
        }
        Class<?> type = function.getClass();
        if (!type.isSynthetic() && !type.isHidden()) {
            return null;
        }
        try {
            Method writeReplace = type.getDeclaredMethod("writeReplace");
            writeReplace.setAccessible(true);
            return writeReplace.invoke(function) instanceof SerializedLambda sl ? sl : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The name of a function: {@code sqrt} for {@code Math::sqrt}, {@code Outer.lambda$main$0} for a lambda,
     * the simple class name otherwise.
     */
    public static String function(Object function) {
        SerializedLambda sl = serializedLambda(function);
        if (sl != null) {
            String method = sl.getImplMethodName();
            if (method.startsWith("lambda$")) {
                String owner = sl.getImplClass();
                return owner.substring(owner.lastIndexOf('/') + 1) + "." + method;
            }
            return method;
        }
        Class<?> type = function.getClass();
        String simple = type.getSimpleName();
        return simple.isEmpty() ? type.getName() : simple;
    }

    /** A callable object as a call, for tasks that do not know their arguments. */
    public static String callable(Object task) {
        return function(task) + "()";
    }

    /** {@code name(arg1, arg2)} with each argument abbreviated. */
    public static String call(String name, @Nullable Object... args) {
        StringBuilder sb = new StringBuilder(name).append('(');
        for (int i = 0; i < args.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(value(args[i]));
        }
        return sb.append(')').toString();
    }

    /** A short form of a value: strings quoted, arrays and collections by type and size, long text cut. */
    public static String value(@Nullable Object v) {
        String s;
        if (v == null) {
            s = "null";
        } else if (v instanceof CharSequence cs) {
            s = "\"" + cs + "\"";
        } else if (v.getClass().isArray()) {
            s = v.getClass().getComponentType().getSimpleName() + "[" + Array.getLength(v) + "]";
        } else if (v instanceof Collection<?> c && c.size() > 8) {
            s = v.getClass().getSimpleName() + "(size=" + c.size() + ")";
        } else if (v instanceof Map<?, ?> m && m.size() > 8) {
            s = v.getClass().getSimpleName() + "(size=" + m.size() + ")";
        } else {
            try {
                s = String.valueOf(v);
            } catch (RuntimeException e) {
                s = v.getClass().getSimpleName();
            }
        }
        return s.length() > MAX_ARG_CHARS ? s.substring(0, MAX_ARG_CHARS - 3) + "..." : s;
    }
}
