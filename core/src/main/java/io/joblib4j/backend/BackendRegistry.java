package io.joblib4j.backend;

import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Backends by name: the in-process ones, those registered at run time and those found by ServiceLoader (among them
 * core's own {@code "processes"}, provided by the process package).
 */
final class BackendRegistry {
    private static final Set<String> IN_PROCESS = Set.of("sequential", "threads", "virtual");
    /** Names that {@link #register} refuses: the in-process backends and core's own providers. */
    private static final Set<String> RESERVED = Set.of("sequential", "threads", "virtual", "processes");

    private static final Map<String, Supplier<? extends Backend>> REGISTERED = new ConcurrentHashMap<>();
    private static volatile @Nullable List<BackendProvider> providers;

    private BackendRegistry() {}

    static void register(String name, Supplier<? extends Backend> factory) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a backend name must not be blank, got '" + name + "'");
        }
        if (factory == null) {
            throw new NullPointerException("factory for backend '" + name + "' is null");
        }
        if (RESERVED.contains(name)) {
            throw new IllegalArgumentException("'" + name + "' is a built-in backend and cannot be replaced");
        }
        REGISTERED.put(name, factory);
    }

    /** An in-process backend, or null. (A switch rather than a map of factories: no lambdas to link on a first call.) */
    private static @Nullable Backend inProcess(String name) {
        return switch (name) {
            case "sequential" -> Backend.sequential();
            case "threads" -> Backend.threads();
            case "virtual" -> Backend.virtual();
            default -> null;
        };
    }

    static Backend create(String name) {
        Backend builtIn = inProcess(name);
        if (builtIn != null) {
            return builtIn;
        }
        Supplier<? extends Backend> factory = REGISTERED.get(name);
        if (factory != null) {
            return factory.get();
        }
        BackendProvider provider = provider(name, providers(false));
        if (provider == null) {
            // A provider may have become visible since the last scan (a class loader of its own): look once more.
            provider = provider(name, providers(true));
        }
        if (provider == null) {
            throw new IllegalArgumentException(
                    "unknown backend '" + name + "'; valid backends are " + String.join(", ", names()));
        }
        return provider.create();
    }

    private static @Nullable BackendProvider provider(String name, List<BackendProvider> candidates) {
        for (BackendProvider p : candidates) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }

    static SortedSet<String> names() {
        SortedSet<String> names = new TreeSet<>(IN_PROCESS);
        names.addAll(REGISTERED.keySet());
        for (BackendProvider provider : providers(false)) {
            names.add(provider.name());
        }
        return names;
    }

    /** The providers ServiceLoader finds, scanned once (again when {@code rescan}). */
    private static List<BackendProvider> providers(boolean rescan) {
        List<BackendProvider> found = providers;
        if (found == null || rescan) {
            List<BackendProvider> list = new java.util.ArrayList<>();
            var loader = ServiceLoader.load(BackendProvider.class, BackendRegistry.class.getClassLoader())
                    .iterator();
            while (true) {
                try {
                    if (!loader.hasNext()) {
                        break;
                    }
                    list.add(loader.next());
                } catch (ServiceConfigurationError e) {
                    // A broken provider must not hide the others; it is reported when its name is asked for.
                    System.err.println("joblib4j: skipping a backend provider that failed to load: " + e.getMessage());
                }
            }
            found = List.copyOf(list);
            providers = found;
        }
        return found;
    }
}
