package io.joblib4j.persist;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A bounded walk of an object graph counting instances per class, recorded in a dump so that {@code inspect}
 * can list what a file holds without instantiating anything. Stops after {@link #LIMIT} objects.
 */
final class TypeCensus {
    static final int LIMIT = 10_000;

    final List<DumpFormat.TypeCount> counts = new ArrayList<>();
    boolean truncated;

    private TypeCensus() {}

    static TypeCensus of(Object root) {
        TypeCensus c = new TypeCensus();
        Map<String, Long> counts = new TreeMap<>();
        IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Object> queue = new ArrayDeque<>();
        if (root != null) {
            queue.add(root);
            seen.put(root, true);
        }
        while (!queue.isEmpty()) {
            if (seen.size() > LIMIT) {
                c.truncated = true;
                break;
            }
            Object o = queue.poll();
            Class<?> type = o.getClass();
            counts.merge(type.getName(), 1L, Long::sum);
            try {
                for (Object child : children(o, type)) {
                    if (seen.size() > LIMIT) {
                        c.truncated = true;
                        break;
                    }
                    if (child != null && !seen.containsKey(child)) {
                        seen.put(child, true);
                        queue.add(child);
                    }
                }
            } catch (RuntimeException | LinkageError e) {
                // a collection that cannot be iterated here is counted, not descended into
            }
        }
        counts.forEach((k, v) -> c.counts.add(new DumpFormat.TypeCount(k, v)));
        return c;
    }

    private static Iterable<?> children(Object o, Class<?> type) {
        if (type.isArray()) {
            return type.getComponentType().isPrimitive() ? List.of() : java.util.Arrays.asList((Object[]) o);
        }
        if (o instanceof Collection<?> col) {
            return col;
        }
        if (o instanceof Map<?, ?> map) {
            List<Object> kv = new ArrayList<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (kv.size() > LIMIT) {
                    break;
                }
                kv.add(e.getKey());
                kv.add(e.getValue());
            }
            return kv;
        }
        String name = type.getName();
        if (name.startsWith("java.")
                || name.startsWith("javax.")
                || name.startsWith("jdk.")
                || name.startsWith("io.joblib4j.array.")) {
            return List.of();
        }
        List<Object> values = new ArrayList<>();
        for (Class<?> t = type; t != null && t != Object.class; t = t.getSuperclass()) {
            for (Field f : t.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())
                        || Modifier.isTransient(f.getModifiers())
                        || f.getType().isPrimitive()
                        || !f.trySetAccessible()) {
                    continue;
                }
                try {
                    values.add(f.get(o));
                } catch (IllegalAccessException e) {
                    // not readable: skip
                }
            }
        }
        return values;
    }
}
