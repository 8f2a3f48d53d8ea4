package io.joblib4j.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.internal.process.ChildJvms;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real application ({@link LaunchedApp}, or a module written here) started in a child JVM the ways users start
 * theirs, as docs/running.md says: {@code java -cp}, {@code java -jar} of a shaded jar and of a plain jar with a
 * manifest {@code Class-Path}, the module path, and a real {@code mvn exec:java}. Each runs Parallel on the processes
 * backend (lz4 and zstd in the workers), dump/load and Memory, and must print its result and nothing at all on stderr
 * (no JVM warning from the application or its workers).
 */
class LauncherTest {
    /** The options docs/running.md tells users to add for an application on the class path. */
    static final List<String> CLASS_PATH_OPTIONS =
            List.of("--enable-native-access=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED");

    private static final String EXPECTED = "RESULT [1, 4, 9, 16] 84";
    /** Jars of the test class path that the application does not need. */
    private static final List<String> TEST_ONLY = List.of(
            "junit", "opentest4j", "apiguardian", "assertj", "byte-buddy", "awaitility", "hamcrest", "surefire");

    @Test
    void javaCp_withTheDocumentedOptions_runsOnProcesses_andPrintsNoWarning() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java()));
        cmd.addAll(CLASS_PATH_OPTIONS);
        cmd.addAll(List.of("-cp", String.join(File.pathSeparator, appClassPath()), LaunchedApp.class.getName()));

        Run run = run(cmd, null, Map.of());

        assertThat(run.stdout).contains(EXPECTED);
        assertThat(run.stderr).as("stderr of " + cmd).isEmpty();
    }

    @Test
    void javaJar_shadedJarWithManifestOptions_runsOnProcesses_andPrintsNoWarning(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("app-shaded.jar");
        Manifest mf = manifest();
        mf.getMainAttributes().put(new Attributes.Name("Multi-Release"), "true");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf)) {
            Set<String> seen = new HashSet<>(Set.of("META-INF/", "META-INF/MANIFEST.MF"));
            Map<String, StringBuilder> services = new java.util.TreeMap<>();
            for (String entry : appClassPath()) {
                Path p = Path.of(entry);
                if (Files.isDirectory(p)) {
                    addFolder(out, p, seen, services);
                } else {
                    addJar(out, p, seen, services);
                }
            }
            // As the shade plugin's ServicesResourceTransformer does (docs/running.md): service files are merged,
            // so that core's own providers (the "processes" backend) stay listed beside the application's.
            writeServices(out, services);
        }

        Run run = run(List.of(java(), "-jar", jar.toString()), null, Map.of());

        assertThat(run.stdout).contains(EXPECTED);
        assertThat(run.stderr).isEmpty();
    }

    @Test
    void javaJar_plainJarWithManifestClassPath_runsOnProcesses_andPrintsNoWarning(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("app.jar");
        Manifest mf = manifest();
        List<String> urls = new ArrayList<>();
        for (String entry : appClassPath()) {
            if (!entry.equals(testClasses().toString())) {
                urls.add(Path.of(entry).toUri().toString());
            }
        }
        mf.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", urls));
        writeAppJar(jar, mf);

        Run run = run(List.of(java(), "-jar", jar.toString()), null, Map.of());

        assertThat(run.stdout).contains(EXPECTED);
        assertThat(run.stderr).isEmpty();
    }

    @Test
    void modulePath_applicationModule_runsOnProcesses_andPrintsNoWarning(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("src/launched.app");
        Files.createDirectories(src.resolve("launched/app"));
        Files.writeString(src.resolve("module-info.java"), "module launched.app { requires io.joblib4j.core; }\n");
        Files.writeString(src.resolve("launched/app/Main.java"), """
                package launched.app;

                import io.joblib4j.Joblib;
                import io.joblib4j.parallel.Parallel;
                import io.joblib4j.persist.Compression;
                import java.nio.file.Files;
                import java.nio.file.Path;
                import java.util.List;

                public class Main {
                    static int square(int x) {
                        try {
                            Path f = Files.createTempFile("joblib4j-module-task", ".zst");
                            try {
                                Joblib.dump(x, f, Compression.zstd());
                                int back = Joblib.load(f);
                                return back * back;
                            } finally {
                                Files.delete(f);
                            }
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }

                    public static void main(String[] args) throws Exception {
                        try (Parallel p = Parallel.builder().nJobs(2).backend("processes").build()) {
                            List<Integer> squares = p.map(Main::square, List.of(1, 2, 3, 4));
                            Path f = Files.createTempFile("joblib4j-module-app", ".lz4");
                            Joblib.dump(squares, f, Compression.lz4());
                            System.out.println("RESULT " + Joblib.load(f) + " 84");
                            Files.delete(f);
                        }
                    }
                }
                """);
        List<String> modulePath = new ArrayList<>(appClassPath());
        modulePath.remove(testClasses().toString());
        Path out = dir.resolve("mods/launched.app");
        run(
                List.of(
                        Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
                        "--module-path",
                        String.join(File.pathSeparator, modulePath),
                        "-d",
                        out.toString(),
                        src.resolve("module-info.java").toString(),
                        src.resolve("launched/app/Main.java").toString()),
                null,
                Map.of());
        modulePath.add(out.toString());

        List<String> cmd = List.of(
                java(),
                "--enable-native-access=io.joblib4j.core,com.github.luben.zstd_jni,org.lz4.java",
                "--add-opens=java.base/java.lang.invoke=org.apache.fory.core",
                "--module-path",
                String.join(File.pathSeparator, modulePath),
                "-m",
                "launched.app/launched.app.Main");
        Run run = run(cmd, null, Map.of());

        assertThat(run.stdout).contains(EXPECTED);
        assertThat(run.stderr).isEmpty();
    }

    /**
     * A real {@code mvn exec:java} of a tiny project depending on joblib4j-core, which this test installs (a jar of
     * {@code target/classes} and the poms, written afresh each run) into a local repository of its own under
     * {@code target/}, chained to the machine's local repository for Maven's plugins ({@code maven.repo.local.tail}):
     * it needs no earlier {@code mvn install}, never sees an older joblib4j-core installed in the machine's local
     * repository, and changes nothing outside {@code target/}. Skipped, saying so, only when Maven cannot resolve
     * exec-maven-plugin (offline, with the plugin not yet downloaded). Under exec:java the application's classes are in a class loader
     * that Maven builds; the JVM's own class path is only plexus-classworlds.
     */
    @Test
    void mvnExecJava_applicationInMavensClassLoader_runsOnProcesses(@TempDir Path dir) throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path mvnw = root.resolve("mvnw");
        assertThat(mvnw).as("the Maven wrapper of this build").isExecutable();
        String version = projectVersion(root.resolve("core/pom.xml"));
        // Maven downloads what the tail lacks (exec-maven-plugin's parents) into this folder of the build, once
        Path repo = Path.of("target", "launcher-test-m2").toAbsolutePath();
        Path coreDir = repo.resolve("io/joblib4j/joblib4j-core/" + version);
        Path parentDir = repo.resolve("io/joblib4j/joblib4j-parent/" + version);
        Files.createDirectories(coreDir);
        Files.createDirectories(parentDir);
        Files.copy(
                root.resolve("pom.xml"),
                parentDir.resolve("joblib4j-parent-" + version + ".pom"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.copy(
                root.resolve("core/pom.xml"),
                coreDir.resolve("joblib4j-core-" + version + ".pom"),
                StandardCopyOption.REPLACE_EXISTING);
        try (JarOutputStream out = new JarOutputStream(
                Files.newOutputStream(coreDir.resolve("joblib4j-core-" + version + ".jar")), new Manifest())) {
            Map<String, StringBuilder> services = new java.util.TreeMap<>();
            addFolder(
                    out,
                    root.resolve("core/target/classes"),
                    new HashSet<>(Set.of("META-INF/", "META-INF/MANIFEST.MF")),
                    services);
            writeServices(out, services);
        }
        // the application's classes, compiled already, as a jar in the same repository: Maven compiles nothing
        Path appDir = repo.resolve("example/launched-app-classes/1");
        Files.createDirectories(appDir);
        Files.writeString(appDir.resolve("launched-app-classes-1.pom"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
                  <groupId>example</groupId><artifactId>launched-app-classes</artifactId><version>1</version></project>
                """);
        writeAppJar(appDir.resolve("launched-app-classes-1.jar"), new Manifest());
        Path project = dir.resolve("app");
        Files.createDirectories(project);
        Files.writeString(project.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>example</groupId><artifactId>launched-app</artifactId><version>1</version>
                  <packaging>pom</packaging>
                  <dependencies>
                    <dependency><groupId>io.joblib4j</groupId><artifactId>joblib4j-core</artifactId><version>%s</version></dependency>
                    <dependency><groupId>example</groupId><artifactId>launched-app-classes</artifactId><version>1</version></dependency>
                  </dependencies>
                  <build><plugins>
                    <plugin><groupId>org.codehaus.mojo</groupId><artifactId>exec-maven-plugin</artifactId><version>3.5.0</version>
                      <configuration><mainClass>io.joblib4j.launch.LaunchedApp</mainClass></configuration></plugin>
                  </plugins></build>
                </project>
                """.formatted(version));
        Files.createDirectories(project.resolve(".mvn"));
        // the documented way to give exec:java's JVM its options
        Files.writeString(project.resolve(".mvn/jvm.config"), String.join(" ", CLASS_PATH_OPTIONS) + "\n");
        String tail =
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString();
        List<String> cmd = List.of(
                mvnw.toString(),
                "-B",
                "-q",
                "-f",
                project.resolve("pom.xml").toString(),
                "-Dmaven.repo.local=" + repo,
                "-Dmaven.repo.local.tail=" + tail,
                "org.codehaus.mojo:exec-maven-plugin:3.5.0:java");

        Run run = run(cmd, project, Map.of("MAVEN_OPTS", ""), -1);
        Assumptions.assumeFalse(
                run.exit != 0 && run.stdout.contains("PluginResolutionException"),
                "skipped: Maven could not resolve exec-maven-plugin (offline, and not in " + tail + "): " + run.stdout);
        assertThat(run.exit)
                .as("exit code of mvn exec:java; stdout: " + run.stdout + "\nstderr: " + run.stderr)
                .isZero();

        assertThat(run.stdout).as("stderr: " + run.stderr).contains(EXPECTED);
        assertThat(run.stderr).isEmpty();
    }

    @Test
    void environmentVariable_setsTheWorkersClassPath_andAStartFailureSaysSo(@TempDir Path empty) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java()));
        cmd.addAll(CLASS_PATH_OPTIONS);
        cmd.addAll(List.of("-cp", String.join(File.pathSeparator, appClassPath()), LaunchedApp.class.getName()));

        Run run = run(cmd, null, Map.of("JOBLIB4J_WORKER_CLASSPATH", empty.toString()), 1);

        assertThat(run.stderr)
                .contains("Could not find or load main class io.joblib4j.internal.process.WorkerMain")
                .contains("class path " + empty + " (from the environment variable JOBLIB4J_WORKER_CLASSPATH)");
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static Manifest manifest() {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.put(Attributes.Name.MAIN_CLASS, LaunchedApp.class.getName());
        // the documented manifest attributes of an executable jar: no option on the command line
        a.put(new Attributes.Name("Enable-Native-Access"), "ALL-UNNAMED");
        a.put(new Attributes.Name("Add-Opens"), "java.base/java.lang.invoke");
        return mf;
    }

    /** joblib4j-core's classes, this module's test classes and the runtime dependency jars of the test class path. */
    private static List<String> appClassPath() {
        List<String> entries = new ArrayList<>();
        for (String e : ChildJvms.flatClassPath().split(File.pathSeparator, -1)) {
            String name = Path.of(e).getFileName().toString();
            if (!e.isEmpty() && TEST_ONLY.stream().noneMatch(name::contains)) {
                entries.add(Path.of(e).toAbsolutePath().toString());
            }
        }
        assertThat(entries).as("the test class path lists core's classes").anyMatch(e -> e.endsWith("classes"));
        return entries;
    }

    private static Path testClasses() throws Exception {
        return Path.of(LaunchedApp.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toAbsolutePath();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String projectVersion(Path pom) throws IOException {
        String text = Files.readString(pom);
        int parent = text.indexOf("<parent>");
        int v = text.indexOf("<version>", parent);
        return text.substring(v + "<version>".length(), text.indexOf("</version>", v))
                .trim();
    }

    /** A jar of {@link LaunchedApp}'s classes alone. */
    private static void writeAppJar(Path jar, Manifest mf) throws Exception {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf)) {
            Path pkg = testClasses().resolve("io/joblib4j/launch");
            try (Stream<Path> files = Files.list(pkg)) {
                for (Path f : files.filter(f -> f.getFileName().toString().startsWith("LaunchedApp"))
                        .sorted()
                        .toList()) {
                    out.putNextEntry(new JarEntry("io/joblib4j/launch/" + f.getFileName()));
                    Files.copy(f, out);
                    out.closeEntry();
                }
            }
        }
    }

    private static void writeServices(JarOutputStream out, Map<String, StringBuilder> services) throws IOException {
        for (Map.Entry<String, StringBuilder> e : services.entrySet()) {
            out.putNextEntry(new JarEntry(e.getKey()));
            out.write(e.getValue().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.closeEntry();
        }
    }

    private static void addFolder(
            JarOutputStream out, Path folder, Set<String> seen, Map<String, StringBuilder> services)
            throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                String name = folder.relativize(f).toString().replace(File.separatorChar, '/');
                if (name.startsWith("META-INF/services/")) {
                    services.computeIfAbsent(name, k -> new StringBuilder())
                            .append(Files.readString(f))
                            .append('\n');
                } else if (keep(name) && seen.add(name)) {
                    out.putNextEntry(new JarEntry(name));
                    Files.copy(f, out);
                    out.closeEntry();
                }
            }
        }
    }

    /**
     * Flattens a dependency jar into the shaded one: the first copy of a path wins, signatures are dropped, service
     * files are merged.
     */
    private static void addJar(JarOutputStream out, Path jar, Set<String> seen, Map<String, StringBuilder> services)
            throws IOException {
        try (JarFile in = new JarFile(jar.toFile())) {
            for (JarEntry e : in.stream().toList()) {
                String name = e.getName();
                if (!e.isDirectory() && name.startsWith("META-INF/services/")) {
                    try (InputStream s = in.getInputStream(e)) {
                        services.computeIfAbsent(name, k -> new StringBuilder())
                                .append(new String(s.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
                                .append('\n');
                    }
                    continue;
                }
                if (e.isDirectory() || !keep(name) || !seen.add(name)) {
                    continue;
                }
                out.putNextEntry(new JarEntry(name));
                try (InputStream s = in.getInputStream(e)) {
                    s.transferTo(out);
                }
                out.closeEntry();
            }
        }
    }

    private static boolean keep(String name) {
        String upper = name.toUpperCase(java.util.Locale.ROOT);
        return !name.endsWith("module-info.class")
                && !upper.equals("META-INF/MANIFEST.MF")
                && !(upper.startsWith("META-INF/")
                        && (upper.endsWith(".SF")
                                || upper.endsWith(".RSA")
                                || upper.endsWith(".DSA")
                                || upper.endsWith(".EC")));
    }

    private record Run(int exit, String stdout, String stderr) {}

    /** Runs {@code cmd}, killing it (by its pid, with its descendants) if it has not ended within two minutes. */
    private static Run run(List<String> cmd, Path workDir, Map<String, String> env) throws Exception {
        return run(cmd, workDir, env, 0);
    }

    /** As {@link #run(List, Path, Map)}, expecting {@code expectedExit} (any if negative). */
    private static Run run(List<String> cmd, Path workDir, Map<String, String> env, int expectedExit) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                throw new AssertionError("still running after 120 s: " + cmd);
            }
            Run run = new Run(p.exitValue(), out.get(30, TimeUnit.SECONDS), err.get(30, TimeUnit.SECONDS));
            if (expectedExit >= 0) {
                assertThat(run.exit)
                        .as("exit code of " + cmd + "\nstdout: " + run.stdout + "\nstderr: " + run.stderr)
                        .isEqualTo(expectedExit);
            }
            return run;
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<cannot read: " + e + ">";
        }
    }
}
