package io.joblib4j.internal;

import java.lang.invoke.MethodHandleInfo;
import java.lang.invoke.MethodType;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Who a cached function is: a stable identifier, the method that implements it (for its code version), the values
 * a lambda captured (part of the cache key), and the names of its explicit parameters (for messages, metadata and
 * {@code ignoring(...)}).
 *
 * <p>Method references and lambdas are identified through their {@link SerializedLambda}: {@code Outer::f} is
 * {@code com.acme.Outer.f}; a lambda is {@code com.acme.Outer.lambda$main$...}, a name the compiler derives from the
 * enclosing method, which may change when lambdas are added around it (give such functions an explicit name). Any
 * other function object is identified by its class and its functional method.
 *
 * @param id          the function identifier, safe as a directory name
 * @param displayName a short name for messages ({@code f}, {@code Outer.lambda$main$0})
 * @param owner       internal name of the class declaring the implementation method
 * @param method      the implementation method's name
 * @param descriptor  the implementation method's JVM descriptor
 * @param loader      the class loader that sees the implementation
 * @param captured    the captured values (a bound receiver, a lambda's captured variables, or the function object
 *                    itself for a plain class)
 * @param parameters  the names of the explicit arguments, in call order
 */
public record FunctionIdentity(
        String id,
        String displayName,
        String owner,
        String method,
        String descriptor,
        ClassLoader loader,
        List<Object> captured,
        List<String> parameters) {

    /**
     * The identity of {@code function}, a serializable functional object with {@code arity} explicit arguments
     * whose functional method is {@code samName} with erased descriptor {@code samDescriptor}.
     *
     * @param explicitName a user-given name replacing the derived identifier, or null
     */
    public static FunctionIdentity of(
            Object function, @Nullable String explicitName, int arity, String samName, String samDescriptor) {
        Class<?> type = function.getClass();
        ClassLoader loader = type.getClassLoader();
        SerializedLambda sl = serializedLambda(function);
        if (sl != null) {
            String owner = sl.getImplClass();
            String method = sl.getImplMethodName();
            String desc = sl.getImplMethodSignature();
            List<Object> captured = new ArrayList<>(sl.getCapturedArgCount());
            for (int i = 0; i < sl.getCapturedArgCount(); i++) {
                captured.add(sl.getCapturedArg(i));
            }
            boolean lambda = method.startsWith("lambda$");
            String simpleOwner = owner.substring(owner.lastIndexOf('/') + 1);
            String display =
                    lambda ? simpleOwner + "." + method : method.equals("<init>") ? simpleOwner + ".new" : method;
            Shape shape = SHAPES.get(type)
                    .computeIfAbsent(
                            new ShapeKey(owner, method, desc, sl.getImplMethodKind(), captured.size(), arity),
                            k -> new Shape(
                                    !lambda && isOverloaded(loader, owner, method),
                                    parameterNames(loader, owner, method, desc, k.kind(), k.captured(), arity)));
            String derived = owner.replace('/', '.') + "." + (method.equals("<init>") ? "new" : method);
            if (shape.overloaded()) {
                derived += "-" + shortHash(desc);
            }
            List<String> params = shape.parameters();
            String id = sanitize(explicitName != null ? explicitName : derived);
            return new FunctionIdentity(
                    id,
                    explicitName != null ? explicitName : display,
                    owner,
                    method,
                    desc,
                    loader,
                    nullSafe(captured),
                    params);
        }
        String owner = type.getName().replace('.', '/');
        List<String> params = new ArrayList<>();
        for (int i = 0; i < arity; i++) {
            params.add("arg" + i);
        }
        String simple = type.getSimpleName().isEmpty() ? type.getName() : type.getSimpleName();
        String id = sanitize(explicitName != null ? explicitName : type.getName());
        return new FunctionIdentity(
                id,
                explicitName != null ? explicitName : simple,
                owner,
                samName,
                samDescriptor,
                loader,
                nullSafe(List.of(function)),
                List.copyOf(params));
    }

    /** Each lambda class's {@code writeReplace} method, made accessible once (null for other classes). */
    private static final ClassValue<Method> WRITE_REPLACE = new ClassValue<>() {
        @Override
        protected @Nullable Method computeValue(Class<?> type) {
            if (!java.io.Serializable.class.isAssignableFrom(type) || !(type.isSynthetic() || type.isHidden())) {
                return null;
            }
            try {
                Method m = type.getDeclaredMethod("writeReplace");
                m.setAccessible(true);
                return m;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    };

    /** The {@link SerializedLambda} of a serializable lambda or method reference, or null for other objects. */
    static @Nullable SerializedLambda serializedLambda(Object function) {
        Method m = WRITE_REPLACE.get(function.getClass());
        if (m == null) {
            return null;
        }
        try {
            return m.invoke(function) instanceof SerializedLambda sl ? sl : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * What reflection says about an implementation method, looked up once per function class (a lambda's class is
     * one per call site) and kept with that class, so class loaders are not pinned.
     */
    private record ShapeKey(String owner, String method, String desc, int kind, int captured, int arity) {}

    private record Shape(boolean overloaded, List<String> parameters) {}

    private static final ClassValue<java.util.Map<ShapeKey, Shape>> SHAPES = new ClassValue<>() {
        @Override
        protected java.util.Map<ShapeKey, Shape> computeValue(Class<?> type) {
            return new java.util.concurrent.ConcurrentHashMap<>();
        }
    };

    private static List<Object> nullSafe(List<Object> values) {
        return java.util.Collections.unmodifiableList(new ArrayList<>(values));
    }

    /** {@code name} with every character outside {@code [A-Za-z0-9._$-]} replaced by {@code _}, never empty or dotted. */
    public static String sanitize(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a cached function's name must not be empty, got \"" + name + "\"");
        }
        StringBuilder sb = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '_'
                    || c == '$'
                    || c == '-';
            sb.append(ok ? c : '_');
        }
        if (sb.charAt(0) == '.') {
            sb.setCharAt(0, '_');
        }
        return sb.toString();
    }

    private static String shortHash(String s) {
        byte[] d = CodeVersions.sha256().digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return java.util.HexFormat.of().formatHex(d, 0, 4);
    }

    private static @Nullable Class<?> load(ClassLoader loader, String owner) {
        try {
            return Class.forName(owner.replace('/', '.'), false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    private static boolean isOverloaded(ClassLoader loader, String owner, String method) {
        Class<?> c = load(loader, owner);
        if (c == null || method.equals("<init>")) {
            return c != null && c.getDeclaredConstructors().length > 1;
        }
        try {
            return Arrays.stream(c.getDeclaredMethods())
                            .filter(m -> !m.isSynthetic()
                                    && !m.isBridge()
                                    && m.getName().equals(method))
                            .count()
                    > 1;
        } catch (LinkageError e) {
            return false;
        }
    }

    private static List<String> parameterNames(
            ClassLoader loader, String owner, String method, String desc, int kind, int capturedCount, int arity) {
        List<String> names = new ArrayList<>();
        boolean instance = kind == MethodHandleInfo.REF_invokeVirtual
                || kind == MethodHandleInfo.REF_invokeInterface
                || kind == MethodHandleInfo.REF_invokeSpecial;
        if (instance) {
            names.add("this");
        }
        Executable target = find(loader, owner, method, desc);
        int declared = MethodType.fromMethodDescriptorString(desc, loader).parameterCount();
        if (target != null) {
            for (Parameter p : target.getParameters()) {
                names.add(p.isNamePresent() ? p.getName() : "arg" + (names.size() - (instance ? 1 : 0)));
            }
        } else {
            for (int i = 0; i < declared; i++) {
                names.add("arg" + i);
            }
        }
        List<String> explicit = new ArrayList<>(names.subList(Math.min(capturedCount, names.size()), names.size()));
        while (explicit.size() < arity) {
            explicit.add("arg" + explicit.size());
        }
        return List.copyOf(explicit.subList(0, arity));
    }

    private static @Nullable Executable find(ClassLoader loader, String owner, String method, String desc) {
        Class<?> c = load(loader, owner);
        if (c == null) {
            return null;
        }
        try {
            if (method.equals("<init>")) {
                for (var k : c.getDeclaredConstructors()) {
                    if (MethodType.methodType(void.class, k.getParameterTypes())
                            .toMethodDescriptorString()
                            .equals(desc)) {
                        return k;
                    }
                }
                return null;
            }
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals(method)
                        && MethodType.methodType(m.getReturnType(), m.getParameterTypes())
                                .toMethodDescriptorString()
                                .equals(desc)) {
                    return m;
                }
            }
        } catch (LinkageError | IllegalArgumentException | TypeNotPresentException e) {
            return null;
        }
        return null;
    }
}
