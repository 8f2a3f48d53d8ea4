package io.joblib4j.persist;

import io.joblib4j.array.NdArray;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Walks of an object graph that {@code dump} makes to explain a refusal: how deep the value nests (load reads a
 * bounded depth), and where in the graph the object is that cannot be written ({@code root[0].value}).
 * Iterative: a graph nested deeper than the thread's stack allows is walked too.
 */
final class GraphWalk {
    private GraphWalk() {}

    /**
     * A child of a node and the step that reaches it: an {@code Integer} index ({@code [3]}), a {@link KeyStep}
     * ({@code ["key"]}, {@code {key "key"}}) or a text ({@code .name}). Steps are turned into text only when a path
     * is shown, so that a walk over a large collection builds no strings.
     */
    record Child(Object step, Object value) {}

    /** The step to a map's value ({@code ["key"]}) or, {@code ofKey}, to the key itself ({@code {key "key"}}). */
    record KeyStep(Object key, boolean ofKey) {}

    /** Where a node is, as the steps from the root. */
    record Node(
            Object value, @Nullable Node parent, @Nullable Object step, int depth) {
        String path() {
            List<String> steps = new ArrayList<>();
            for (Node n = this; n != null && n.step != null; n = n.parent) {
                steps.add(text(n.step));
            }
            java.util.Collections.reverse(steps);
            if (steps.size() > 12) {
                return "root" + String.join("", steps.subList(0, 6)) + "..."
                        + String.join("", steps.subList(steps.size() - 3, steps.size())) + " (" + steps.size()
                        + " levels down)";
            }
            return "root" + String.join("", steps);
        }
    }

    /**
     * The first node, depth first, that is more than {@code limit} containers below the root, or null. Leaves
     * (strings, boxed numbers, primitive arrays, NdArrays, enums) do not count as a level.
     */
    static @Nullable Node deeperThan(Object root, int limit) {
        if (!isContainer(root)) {
            return null;
        }
        IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Node> stack = new ArrayDeque<>();
        stack.push(new Node(root, null, null, 1));
        seen.put(root, true);
        while (!stack.isEmpty()) {
            Node n = stack.pop();
            if (n.depth > limit) {
                return n;
            }
            List<Child> children = children(n.value, true); // leaves are no level: no need to list them
            for (int i = children.size() - 1; i >= 0; i--) {
                Child c = children.get(i);
                if (seen.put(c.value, true) == null) {
                    stack.push(new Node(c.value, n, c.step, n.depth + 1));
                }
            }
        }
        return null;
    }

    /**
     * The deepest node on a path of nodes for which {@code fails} holds, starting at the root (for which it is
     * known to hold): the object that cannot be written, rather than the collection holding it. Tries at most
     * {@code budget} nodes.
     */
    static Node culprit(Object root, Predicate<Object> fails, int budget) {
        Node at = new Node(root, null, null, 1);
        int tried = 0;
        descend:
        while (tried < budget) {
            if (!isContainer(at.value) && !(at.value instanceof Map.Entry<?, ?>) && !isObject(at.value)) {
                return at;
            }
            IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();
            for (Child c : children(at.value)) {
                if (c.value == null || seen.put(c.value, true) != null || tried++ >= budget) {
                    continue;
                }
                if (fails.test(c.value)) {
                    at = new Node(c.value, at, c.step, at.depth + 1);
                    continue descend;
                }
            }
            return at;
        }
        return at;
    }

    private static boolean isObject(Object o) {
        return o != null && !o.getClass().getName().startsWith("java.") && !(o instanceof NdArray);
    }

    private static boolean isContainer(Object o) {
        if (o == null) {
            return false;
        }
        Class<?> t = o.getClass();
        if (t.isArray()) {
            return !t.getComponentType().isPrimitive();
        }
        if (o instanceof Collection<?>
                || o instanceof Map<?, ?>
                || o instanceof Map.Entry<?, ?>
                || o instanceof java.util.Optional<?>) {
            return true;
        }
        if (t.isEnum() || o instanceof Enum<?> || o instanceof NdArray) {
            return false;
        }
        String name = t.getName();
        return !(name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk."));
    }

    static List<Child> children(Object o) {
        return children(o, false);
    }

    private static void add(List<Child> out, boolean containersOnly, Object step, Object value) {
        if (!containersOnly || isContainer(value)) {
            out.add(new Child(step, value));
        }
    }

    /** The children of {@code o}; {@code containersOnly}: only those that are containers themselves. */
    private static List<Child> children(Object o, boolean containersOnly) {
        List<Child> out = new ArrayList<>();
        Class<?> type = o.getClass();
        try {
            if (type.isArray()) {
                if (!type.getComponentType().isPrimitive()) {
                    Object[] a = (Object[]) o;
                    for (int i = 0; i < a.length; i++) {
                        add(out, containersOnly, i, a[i]);
                    }
                }
                return out;
            }
            switch (o) {
                case Map<?, ?> map -> {
                    for (Map.Entry<?, ?> e : map.entrySet()) {
                        if (isContainer(e.getKey()) || !containersOnly) {
                            out.add(new Child(new KeyStep(e.getKey(), true), e.getKey()));
                        }
                        if (isContainer(e.getValue()) || !containersOnly) {
                            out.add(new Child(new KeyStep(e.getKey(), false), e.getValue()));
                        }
                    }
                    return out;
                }
                case Collection<?> col -> {
                    int i = 0;
                    for (Object e : col) {
                        add(out, containersOnly, i++, e);
                    }
                    return out;
                }
                case Map.Entry<?, ?> e -> {
                    add(out, containersOnly, ".key", e.getKey());
                    add(out, containersOnly, ".value", e.getValue());
                    return out;
                }
                case java.util.Optional<?> opt -> {
                    opt.ifPresent(v -> add(out, containersOnly, ".get()", v));
                    return out;
                }
                default -> {}
            }
            String name = type.getName();
            if (name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")) {
                return out;
            }
            for (Class<?> t = type; t != null && t != Object.class; t = t.getSuperclass()) {
                for (Field f : t.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers())
                            || Modifier.isTransient(f.getModifiers())
                            || f.getType().isPrimitive()
                            || !f.trySetAccessible()) {
                        continue;
                    }
                    add(out, containersOnly, "." + f.getName(), f.get(o));
                }
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // what cannot be read here is not walked into
        }
        return out;
    }

    private static String text(Object step) {
        return switch (step) {
            case Integer i -> "[" + i + "]";
            case KeyStep k -> k.ofKey() ? "{key " + label(k.key()) + "}" : "[" + label(k.key()) + "]";
            default -> String.valueOf(step);
        };
    }

    private static String label(Object key) {
        if (key instanceof String s) {
            return "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        }
        if (key instanceof Number || key instanceof Boolean || key instanceof Character || key instanceof Enum<?>) {
            return String.valueOf(key);
        }
        return key == null ? "null" : key.getClass().getSimpleName();
    }
}
