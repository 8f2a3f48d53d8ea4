package io.joblib4j.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.internal.process.ChildJvms;
import io.joblib4j.internal.process.JvmLauncher;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend written outside joblib4j, compiled against its exported packages only, is found by
 * {@link java.util.ServiceLoader} and runs a call: as a jar on the class path (listed in {@code META-INF/services}),
 * and, when joblib4j itself runs as a named module, as a module that {@code provides} it. Each case compiles the
 * provider with {@code javac} and runs it in a fresh JVM, as a user's build and application would.
 */
class ThirdPartyProviderTest {

    private static final String PROVIDER = """
            package example.backend;

            import io.joblib4j.backend.Backend;
            import io.joblib4j.backend.BackendProvider;
            import io.joblib4j.backend.WorkerSpec;
            import io.joblib4j.backend.Workers;

            /** A thread backend under another name. */
            public final class ExampleProvider implements BackendProvider {
                @Override
                public String name() {
                    return "example-threads";
                }

                @Override
                public Backend create() {
                    return new Backend() {
                        @Override
                        public String name() {
                            return "example-threads";
                        }

                        @Override
                        public boolean sharedMemory() {
                            return true;
                        }

                        @Override
                        public Nested nested() {
                            return new Nested("sequential", 1);
                        }

                        @Override
                        public Workers open(WorkerSpec spec) {
                            return Backend.threads().open(spec);
                        }
                    };
                }
            }
            """;

    private static final String MAIN = """
            package example.backend;

            import io.joblib4j.backend.Backend;
            import io.joblib4j.parallel.Parallel;
            import java.util.List;

            public final class Main {
                public static void main(String[] args) {
                    System.out.println("names " + Backend.names());
                    try (Parallel p = Parallel.builder().backend("example-threads").nJobs(2).build()) {
                        System.out.println("result " + p.map(x -> x + 1, List.of(1, 2, 3)));
                    }
                }
            }
            """;

    private static final String MODULE_INFO = """
            module example.backend {
                requires io.joblib4j.core;
                provides io.joblib4j.backend.BackendProvider with example.backend.ExampleProvider;
            }
            """;

    @TempDir
    Path dir;

    @Test
    void providerOnTheClassPath_isFoundByName_andRunsACall() throws Exception {
        Path src = sources(dir.resolve("src"), false);
        Path out = dir.resolve("classes");
        run(javac(out, List.of("-cp", ChildJvms.flatClassPath()), src));
        Path services = out.resolve("META-INF/services/io.joblib4j.backend.BackendProvider");
        Files.createDirectories(services.getParent());
        Files.writeString(services, "example.backend.ExampleProvider\n");

        List<String> cmd = new ArrayList<>(List.of(JvmLauncher.javaCommand(), "--enable-native-access=ALL-UNNAMED"));
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath != null) {
            // joblib4j as a named module, the user's code on the class path
            cmd.addAll(List.of("--module-path", modulePath, "--add-modules", "ALL-MODULE-PATH"));
            cmd.addAll(List.of("-cp", out.toString(), "example.backend.Main"));
        } else {
            cmd.addAll(List.of(
                    "-cp", System.getProperty("java.class.path") + File.pathSeparator + out, "example.backend.Main"));
        }
        assertRunsWithProvider(run(cmd));
    }

    @Test
    void providerModule_isFoundByName_andRunsACall() throws Exception {
        String modulePath = System.getProperty("jdk.module.path");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                modulePath != null, "joblib4j runs on the class path in this JVM: no module path to build on");
        Path src = sources(dir.resolve("module-src"), true);
        Path out = dir.resolve("module-classes");
        // compiled as a module: only what io.joblib4j.core exports is in reach
        run(javac(out, List.of("--module-path", modulePath), src));
        List<String> cmd = List.of(
                JvmLauncher.javaCommand(),
                "--enable-native-access=ALL-UNNAMED,io.joblib4j.core",
                "--module-path",
                modulePath + File.pathSeparator + out,
                "-m",
                "example.backend/example.backend.Main");
        assertRunsWithProvider(run(cmd));
    }

    private static void assertRunsWithProvider(String output) {
        assertThat(output).contains("example-threads").contains("result [2, 3, 4]");
    }

    private static Path sources(Path root, boolean module) throws IOException {
        Path pkg = root.resolve("example/backend");
        Files.createDirectories(pkg);
        Files.writeString(pkg.resolve("ExampleProvider.java"), PROVIDER);
        Files.writeString(pkg.resolve("Main.java"), MAIN);
        if (module) {
            Files.writeString(root.resolve("module-info.java"), MODULE_INFO);
        }
        return root;
    }

    private static List<String> javac(Path out, List<String> path, Path src) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(JvmLauncher.javaCommand()).resolveSibling("javac").toString());
        cmd.addAll(List.of("-d", out.toString()));
        cmd.addAll(path);
        try (var files = Files.walk(src)) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> cmd.add(f.toString()));
        }
        return cmd;
    }

    /** Runs {@code cmd} to its end (killed after two minutes) and returns its output; fails unless it exits 0. */
    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(2, TimeUnit.MINUTES)).as(output).isTrue();
            assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + output).isZero();
            return output;
        } finally {
            p.destroyForcibly();
        }
    }
}
