package io.joblib4j.backend;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** Backends by name: the built-in ones, those registered at run time and those found by ServiceLoader. */
final class BackendRegistry {
    private static final Set<String> BUILT_IN = Set.of("sequential", "threads", "virtual", "processes");
    private static final Map<String, Supplier<? extends Backend>> REGISTERED = new ConcurrentHashMap<>();

    private BackendRegistry() {}

    static void register(String name, Supplier<? extends Backend> factory) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a backend name must not be blank, got '" + name + "'");
        }
        if (factory == null) {
            throw new NullPointerException("factory for backend '" + name + "' is null");
        }
        if (BUILT_IN.contains(name)) {
            throw new IllegalArgumentException("'" + name + "' is a built-in backend and cannot be replaced");
        }
        REGISTERED.put(name, factory);
    }

    /** A built-in backend, or null. (A switch rather than a map of factories: no lambdas to link on a first call.) */
    private static Backend builtIn(String name) {
        return switch (name) {
            case "sequential" -> Backend.sequential();
            case "threads" -> Backend.threads();
            case "virtual" -> Backend.virtual();
            case "processes" -> io.joblib4j.process.ProcessPool.shared().backend();
            default -> null;
        };
    }

    static Backend create(String name) {
        Backend builtIn = builtIn(name);
        if (builtIn != null) {
            return builtIn;
        }
        Supplier<? extends Backend> factory = REGISTERED.get(name);
        if (factory == null) {
            for (BackendProvider provider : providers()) {
                if (provider.name().equals(name)) {
                    return provider.create();
                }
            }
            throw new IllegalArgumentException(
                    "unknown backend '" + name + "'; valid backends are " + String.join(", ", names()));
        }
        return factory.get();
    }

    static SortedSet<String> names() {
        SortedSet<String> names = new TreeSet<>(BUILT_IN);
        names.addAll(REGISTERED.keySet());
        for (BackendProvider provider : providers()) {
            names.add(provider.name());
        }
        return names;
    }

    private static Iterable<BackendProvider> providers() {
        return ServiceLoader.load(BackendProvider.class, BackendRegistry.class.getClassLoader());
    }
}
