package io.joblib4j.persist;

import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The class check of {@code load}: the default allowlist, the caller's additions and the gadget denylist. The
 * default list is exactly what docs/persistence.md documents (JDK value types, JDK collections and maps, arrays
 * of allowed types, {@code NdArray}); records and enums are allowed by class or package like any other class,
 * since loading one runs its code (a record's canonical constructor, an enum's static initializer).
 */
final class Allowlist {
    private Allowlist() {}

    /** Classes any file may hold. Pinned by a test: a class added here must be added there and to the docs. */
    static final Set<String> CLASSES = Set.of(
            "java.lang.String",
            "java.lang.Boolean",
            "java.lang.Byte",
            "java.lang.Short",
            "java.lang.Character",
            "java.lang.Integer",
            "java.lang.Long",
            "java.lang.Float",
            "java.lang.Double",
            "java.lang.Number",
            "java.lang.Object",
            "java.lang.StringBuilder",
            "java.lang.StringBuffer",
            "java.math.BigInteger",
            "java.math.BigDecimal",
            "java.math.MathContext",
            "java.math.RoundingMode",
            "java.util.ArrayList",
            "java.util.LinkedList",
            "java.util.ArrayDeque",
            "java.util.Vector",
            "java.util.Stack",
            "java.util.HashMap",
            "java.util.LinkedHashMap",
            "java.util.TreeMap",
            "java.util.Hashtable",
            "java.util.IdentityHashMap",
            "java.util.HashSet",
            "java.util.LinkedHashSet",
            "java.util.TreeSet",
            "java.util.EnumMap",
            "java.util.EnumSet",
            "java.util.RegularEnumSet",
            "java.util.JumboEnumSet",
            "java.util.PriorityQueue",
            "java.util.Arrays$ArrayList",
            "java.util.BitSet",
            "java.util.Optional",
            "java.util.OptionalInt",
            "java.util.OptionalLong",
            "java.util.OptionalDouble",
            "java.util.UUID",
            "java.util.Date",
            "java.util.Locale",
            "java.util.Currency",
            "java.util.AbstractMap$SimpleEntry",
            "java.util.AbstractMap$SimpleImmutableEntry",
            "java.util.KeyValueHolder",
            "java.util.concurrent.ConcurrentHashMap",
            "java.util.concurrent.ConcurrentSkipListMap",
            "java.util.concurrent.ConcurrentSkipListSet",
            "java.util.concurrent.CopyOnWriteArrayList",
            "java.util.concurrent.CopyOnWriteArraySet",
            "java.util.concurrent.ConcurrentLinkedQueue",
            "java.util.concurrent.ConcurrentLinkedDeque",
            "java.util.concurrent.atomic.AtomicInteger",
            "java.util.concurrent.atomic.AtomicLong",
            "java.util.concurrent.atomic.AtomicBoolean",
            "java.util.regex.Pattern",
            "java.net.URI",
            "java.nio.charset.Charset",
            "java.sql.Date",
            "java.sql.Time",
            "java.sql.Timestamp",
            "io.joblib4j.array.NdArray",
            "io.joblib4j.array.DType");

    /** Prefixes of classes any file may hold. */
    static final List<String> PREFIXES =
            List.of("java.time.", "java.util.ImmutableCollections$", "java.util.Collections$");

    /** Refused even when the caller allows their package (well-known gadget entry points and code carriers). */
    private static final List<String> DENIED_PREFIXES = List.of(
            "java.lang.reflect.",
            "java.lang.invoke.",
            "java.lang.Runtime",
            "java.lang.ProcessBuilder",
            "java.lang.Class",
            "java.lang.Thread",
            "java.lang.System",
            "java.beans.",
            "java.rmi.",
            "java.net.URL",
            "javax.management.",
            "javax.naming.",
            "javax.script.",
            "javax.xml.transform.",
            "javax.swing.",
            "com.sun.",
            "sun.",
            "jdk.",
            "org.apache.commons.collections.functors.",
            "org.apache.commons.collections4.functors.",
            "org.apache.commons.beanutils.",
            "org.apache.xalan.",
            "org.springframework.beans.factory.",
            "org.codehaus.groovy.runtime.",
            "groovy.",
            "bsh.",
            "com.mchange.v2.c3p0.",
            "org.hibernate.engine.",
            "clojure.",
            "org.python.",
            "org.mozilla.javascript.");

    static boolean isAllowed(LoadOptions options, String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        if (name.charAt(0) == '[') {
            int dims = 0;
            while (dims < name.length() && name.charAt(dims) == '[') {
                dims++;
            }
            String rest = name.substring(dims);
            if (rest.length() == 1) {
                return "ZBCSIJFD".contains(rest);
            }
            if (rest.startsWith("L") && rest.endsWith(";")) {
                return isAllowed(options, rest.substring(1, rest.length() - 1));
            }
            return false;
        }
        if (options.trustsAllClasses()) {
            return true;
        }
        if (isDenied(name)) {
            return false;
        }
        if (CLASSES.contains(name) || options.allowedClasses().contains(name)) {
            return true;
        }
        for (String p : PREFIXES) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        for (String p : options.allowedPackages()) {
            if (name.startsWith(p) && name.length() > p.length() && name.charAt(p.length()) == '.') {
                return true;
            }
        }
        if (options.allowsRecords()) {
            // explicit opt-in only (LoadOptions.Builder.allowRecords(true)): off by default
            Class<?> type = lookUp(name);
            if (type != null
                    && (type.isRecord()
                            || type.isEnum()
                            || (type.getSuperclass() != null
                                    && type.getSuperclass().isEnum()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The check of the serializer, which also asks about the declared type of a field ({@code List} in
     * {@code record Point(List<Double> ws)}): an interface or abstract class cannot be instantiated, so a name
     * that is one of those is admitted unless it is denied. Values are still checked by their own class.
     */
    static boolean admits(LoadOptions options, String name) {
        if (isAllowed(options, name)) {
            return true;
        }
        if (name == null || name.isEmpty() || name.charAt(0) == '[' || isDenied(name)) {
            return false;
        }
        Class<?> type = lookUp(name);
        return type != null
                && !type.isArray()
                && !type.isPrimitive()
                && (type.isInterface() || java.lang.reflect.Modifier.isAbstract(type.getModifiers()))
                && !type.isEnum()
                && !type.isRecord();
    }

    static boolean isDenied(String name) {
        for (String d : DENIED_PREFIXES) {
            if (name.startsWith(d)) {
                return true;
            }
        }
        return false;
    }

    /** Loads a class without initializing it (no static initializer runs), or null when it does not exist. */
    private static @Nullable Class<?> lookUp(String name) {
        ClassLoader[] loaders = {Thread.currentThread().getContextClassLoader(), Allowlist.class.getClassLoader()};
        for (ClassLoader l : loaders) {
            if (l == null) {
                continue;
            }
            try {
                return Class.forName(name, false, l);
            } catch (ClassNotFoundException | LinkageError e) {
                // try the next loader
            }
        }
        return null;
    }
}
