package io.joblib4j.internal.process;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.module.ResolvedModule;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Where a worker JVM (or a {@code JvmProcess} child) finds joblib4j, its dependencies and the application's classes: a class path, or the parent's
 * module path and the modules to add.
 *
 * <p>In order: the class path set on the pool ({@code ProcessPool.builder().classPath(...)}), the system property
 * {@value #PROPERTY}, the environment variable {@value #ENV}; else, when joblib4j is a named module, the parent's
 * module path ({@code jdk.module.path}) with every module the parent resolved from it; else a class path detected
 * from this JVM: {@code java.class.path} when joblib4j was loaded by the application class loader (jars on it keep
 * their manifest {@code Class-Path}, so {@code java -jar} of a plain or shaded jar works), the URLs of the class
 * loaders between the thread's context class loader (or joblib4j's own) and the application class loader (what
 * {@code mvn exec:java}, servlet containers and some IDE runners build), and the jars or folders that joblib4j's own
 * classes and those of its dependencies come from.
 */
public final class WorkerClassPath {
    /** The system property that sets the workers' class path. */
    public static final String PROPERTY = "joblib4j.worker.classpath";
    /** The environment variable that sets the workers' class path. */
    public static final String ENV = "JOBLIB4J_WORKER_CLASSPATH";

    /** A class of joblib4j and of each of its runtime dependencies, as resources, to find their jars. */
    private static final List<String> KNOWN_CLASSES = List.of(
            "io/joblib4j/internal/process/WorkerMain.class",
            "org/apache/fory/Fory.class",
            "org/codehaus/janino/ClassBodyEvaluator.class",
            "org/codehaus/commons/compiler/CompileException.class",
            "net/jpountz/lz4/LZ4Factory.class",
            "com/github/luben/zstd/Zstd.class",
            "org/tukaani/xz/XZ.class",
            "org/apache/commons/compress/compressors/CompressorStreamFactory.class",
            "org/apache/commons/io/IOUtils.class",
            "org/apache/commons/lang3/StringUtils.class",
            "org/apache/commons/codec/binary/Hex.class",
            "com/dynatrace/hash4j/hashing/Hashing.class",
            "me/tongfei/progressbar/ProgressBar.class",
            "org/jline/terminal/Terminal.class",
            "org/jline/nativ/JLineNativeLoader.class");

    /** The options {@link #moduleOptions(List)} passes on. */
    private static final List<String> MODULE_OPTIONS =
            List.of("--patch-module", "--add-reads", "--add-exports", "--add-opens", "--add-modules");

    /** The class path; empty if none (module path only). */
    private final String classPath;
    /** The module path, or null to start workers on the class path. */
    private final @Nullable String modulePath;
    /** The modules the parent resolved from its module path, added to the workers' root modules. */
    private final List<String> modules;
    /**
     * The parent's options that change what its modules see ({@code --patch-module}, {@code --add-reads},
     * {@code --add-exports}, {@code --add-opens}, {@code --add-modules}), given to workers on the module path too.
     */
    private final List<String> moduleOptions;
    /** How the class path was chosen, for messages. */
    private final String source;
    /** Locations that could not be put on a class path (such as a Spring Boot nested jar), for messages. */
    private final List<String> unusable;

    private WorkerClassPath(
            String classPath, @Nullable String modulePath, List<String> modules, String source, List<String> unusable) {
        this(classPath, modulePath, modules, List.of(), source, unusable);
    }

    private WorkerClassPath(
            String classPath,
            @Nullable String modulePath,
            List<String> modules,
            List<String> moduleOptions,
            String source,
            List<String> unusable) {
        this.classPath = classPath;
        this.modulePath = modulePath;
        this.modules = List.copyOf(modules);
        this.moduleOptions = List.copyOf(moduleOptions);
        this.source = source;
        this.unusable = List.copyOf(unusable);
    }

    /**
     * The workers' class path: {@code configured} (set on the pool) if not null, else the system property, the
     * environment variable, or what is detected with {@code context} as the application's class loader.
     */
    public static WorkerClassPath resolve(@Nullable String configured, ClassLoader context) {
        if (configured != null) {
            return new WorkerClassPath(
                    configured, null, List.of(), "set with ProcessPool.Builder.classPath", List.of());
        }
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return new WorkerClassPath(property, null, List.of(), "from the system property " + PROPERTY, List.of());
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return new WorkerClassPath(env, null, List.of(), "from the environment variable " + ENV, List.of());
        }
        Module core = WorkerMain.class.getModule();
        if (core.isNamed() && System.getProperty("jdk.module.path") != null) {
            return modular(core);
        }
        return detect(context);
    }

    private static WorkerClassPath modular(Module core) {
        Set<String> modules = new TreeSet<>();
        ModuleLayer layer = core.getLayer() == null ? ModuleLayer.boot() : core.getLayer();
        for (ResolvedModule m : layer.configuration().modules()) {
            boolean system = m.reference()
                    .location()
                    .map(u -> "jrt".equals(u.getScheme()))
                    .orElse(true);
            if (!system && !m.name().equals(core.getName())) {
                modules.add(m.name());
            }
        }
        return new WorkerClassPath(
                System.getProperty("java.class.path", ""),
                System.getProperty("jdk.module.path"),
                new ArrayList<>(modules),
                moduleOptions(ManagementFactory.getRuntimeMXBean().getInputArguments()),
                "this JVM's module path and class path",
                List.of());
    }

    /**
     * Of this JVM's options, those that change what the modules on the module path see, such as the
     * {@code --patch-module} that a test runner uses to put test classes into the module under test: a worker
     * started without them could not load the classes its tasks come from.
     */
    static List<String> moduleOptions(List<String> jvmArguments) {
        List<String> options = new ArrayList<>();
        for (String argument : jvmArguments) {
            for (String option : MODULE_OPTIONS) {
                // the JVM reports "--option value" as "--option=value"
                if (argument.startsWith(option + "=") && argument.length() > option.length() + 1) {
                    options.add(option);
                    options.add(argument.substring(option.length() + 1));
                }
            }
        }
        return options;
    }

    /** The class path detected from this JVM's class loaders (the last resort of {@link #resolve}). */
    static WorkerClassPath detect(ClassLoader context) {
        Set<String> entries = new LinkedHashSet<>();
        List<String> unusable = new ArrayList<>();
        ClassLoader system = ClassLoader.getSystemClassLoader();
        ClassLoader own = WorkerMain.class.getClassLoader();
        String source;
        if (own == system) {
            addAll(entries, System.getProperty("java.class.path", ""));
            source = "java.class.path";
        } else {
            source = "the class loaders of joblib4j (" + describe(own) + ") and of the thread's context";
        }
        addLoaders(entries, unusable, context, system);
        addLoaders(entries, unusable, own, system);
        if (own != system) {
            for (String resource : KNOWN_CLASSES) {
                URL url = own == null ? ClassLoader.getSystemResource(resource) : own.getResource(resource);
                if (url != null) {
                    String root = root(url, resource);
                    if (root != null) {
                        entries.add(root);
                    } else {
                        unusable.add(url.toString());
                    }
                }
            }
        }
        return new WorkerClassPath(String.join(File.pathSeparator, entries), null, List.of(), source, unusable);
    }

    /** Adds the file URLs of {@code loader} and of its parents up to (not including) the application loader. */
    private static void addLoaders(Set<String> entries, List<String> unusable, ClassLoader loader, ClassLoader system) {
        List<List<String>> levels = new ArrayList<>();
        for (ClassLoader l = loader;
                l != null && l != system && l != ClassLoader.getPlatformClassLoader();
                l = l.getParent()) {
            List<String> level = new ArrayList<>();
            if (l instanceof URLClassLoader u) {
                for (URL url : u.getURLs()) {
                    String path = filePath(url);
                    if (path != null) {
                        level.add(path);
                    } else {
                        unusable.add(url.toString());
                    }
                }
            }
            levels.add(level);
        }
        // parents first, as a parent-first class loader would find them
        for (int i = levels.size() - 1; i >= 0; i--) {
            entries.addAll(levels.get(i));
        }
    }

    private static void addAll(Set<String> entries, String path) {
        for (String e : path.split(File.pathSeparator, -1)) {
            if (!e.isEmpty()) {
                entries.add(e);
            }
        }
    }

    /** The jar or folder that {@code url}, the location of {@code resource}, comes from; null if not a local file. */
    public static @Nullable String root(URL url, String resource) {
        String s = url.toString();
        if (s.startsWith("jar:file:") && s.indexOf("!/") == s.lastIndexOf("!/") && s.endsWith("!/" + resource)) {
            return filePath(s.substring("jar:".length(), s.indexOf("!/")));
        }
        if (s.startsWith("file:") && s.endsWith("/" + resource)) {
            return filePath(s.substring(0, s.length() - resource.length()));
        }
        return null;
    }

    private static @Nullable String filePath(URL url) {
        return "file".equals(url.getProtocol()) ? filePath(url.toString()) : null;
    }

    private static @Nullable String filePath(String fileUrl) {
        try {
            return Path.of(URI.create(fileUrl)).toString();
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return null;
        }
    }

    private static String describe(ClassLoader loader) {
        return loader == null ? "the boot class loader" : loader.getClass().getName();
    }

    /** The options that put joblib4j and the application's classes in reach of a worker, then its main class. */
    public List<String> options() {
        List<String> options = new ArrayList<>();
        if (modulePath != null) {
            options.add("--module-path");
            options.add(modulePath);
            if (!modules.isEmpty()) {
                options.add("--add-modules");
                options.add(String.join(",", modules));
            }
            options.addAll(moduleOptions);
        }
        if (!classPath.isEmpty()) {
            options.add("-cp");
            options.add(classPath);
        }
        return options;
    }

    /** The options naming the worker's main class: {@code -m module/class} on the module path. */
    public List<String> main() {
        return main(WorkerMain.class);
    }

    /** The options naming {@code mainClass}, a class of joblib4j's own module, as the main class. */
    public List<String> main(Class<?> mainClass) {
        Module core = mainClass.getModule();
        return modulePath != null
                ? List.of("-m", core.getName() + "/" + mainClass.getName())
                : List.of(mainClass.getName());
    }

    /** The modules that may call native code and open {@code java.lang.invoke} to Apache Fory in a worker. */
    public String nativeAccess() {
        // joblib4j's own module loads the lz4 library from its per-user cache (NativeLibraries)
        return modulePath == null
                ? "ALL-UNNAMED"
                : "ALL-UNNAMED," + WorkerMain.class.getModule().getName()
                        + (modules.isEmpty() ? "" : "," + String.join(",", modules));
    }

    /** The target of {@code --add-opens java.base/java.lang.invoke=...}: Fory's module, or the unnamed module. */
    public String foryModule() {
        return modulePath != null && modules.contains("org.apache.fory.core")
                ? "ALL-UNNAMED,org.apache.fory.core"
                : "ALL-UNNAMED";
    }

    public String classPath() {
        return classPath;
    }

    /** Says what the workers were given and where it came from, for a start failure. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (modulePath != null) {
            sb.append("module path ")
                    .append(modulePath)
                    .append(" with modules ")
                    .append(modules)
                    .append(moduleOptions.isEmpty() ? "" : " and options " + moduleOptions)
                    .append(", ");
        }
        sb.append("class path ")
                .append(classPath.isEmpty() ? "(empty)" : classPath)
                .append(" (")
                .append(source)
                .append(')');
        if (!unusable.isEmpty()) {
            sb.append("; left out, as no class path can hold them: ")
                    .append(unusable.stream().distinct().toList());
        }
        return sb.toString();
    }
}
