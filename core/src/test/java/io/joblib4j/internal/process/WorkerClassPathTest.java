package io.joblib4j.internal.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@link WorkerClassPath} finds the workers' class path; real launches are in {@code LauncherTest}. */
class WorkerClassPathTest {

    @Test
    void resolve_contextLoaderBelowTheApplicationLoader_addsItsFolders(@TempDir Path classes) throws Exception {
        try (URLClassLoader context =
                new URLClassLoader(new URL[] {classes.toUri().toURL()}, ClassLoader.getSystemClassLoader())) {
            WorkerClassPath cp = WorkerClassPath.detect(context);

            List<String> entries = Arrays.asList(cp.classPath().split(File.pathSeparator));
            assertThat(entries).contains(classes.toString());
            assertThat(entries)
                    .containsAll(
                            Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator)));
            assertThat(cp.options()).containsSubsequence("-cp", cp.classPath());
            assertThat(cp.describe()).contains("(java.class.path)");
        }
    }

    @Test
    void resolve_onTheModulePath_givesWorkersTheModulePathAndThePatchedTestClasses() {
        Assumptions.assumeTrue(
                WorkerClassPath.class.getModule().isNamed(), "joblib4j is on the class path in this JVM");
        WorkerClassPath cp = WorkerClassPath.resolve(null, ClassLoader.getSystemClassLoader());

        assertThat(cp.options()).containsSubsequence("--module-path", System.getProperty("jdk.module.path"));
        // the test runner patches the test classes into the module: workers must see them too
        assertThat(cp.options()).contains("--patch-module");
        assertThat(cp.main()).containsExactly("-m", "io.joblib4j.core/io.joblib4j.internal.process.WorkerMain");
    }

    @Test
    void moduleOptions_keepsTheOptionsThatChangeWhatModulesSee_asOptionAndValue() {
        assertThat(WorkerClassPath.moduleOptions(List.of(
                        "-Xmx2g",
                        "--patch-module=app=/build/test-classes",
                        "--add-reads=app=ALL-UNNAMED",
                        "--add-opens=java.base/java.lang=app",
                        "--add-exports=java.base/sun.nio.ch=app",
                        "--add-modules=java.logging",
                        "--enable-native-access=ALL-UNNAMED",
                        "--add-reads=",
                        "-Dx=--patch-module=y")))
                .containsExactly(
                        "--patch-module", "app=/build/test-classes",
                        "--add-reads", "app=ALL-UNNAMED",
                        "--add-opens", "java.base/java.lang=app",
                        "--add-exports", "java.base/sun.nio.ch=app",
                        "--add-modules", "java.logging");
    }

    @Test
    void resolve_setOnTheBuilder_winsOverEverything() {
        WorkerClassPath cp = WorkerClassPath.resolve("/opt/app/lib/*", ClassLoader.getSystemClassLoader());

        assertThat(cp.options()).containsExactly("-cp", "/opt/app/lib/*");
        assertThat(cp.main()).containsExactly("io.joblib4j.internal.process.WorkerMain");
        assertThat(cp.describe()).contains("set with ProcessPool.Builder.classPath");
    }

    @Test
    void root_ofJarAndFolderUrls_isTheirPath_nestedJarsHaveNone() throws Exception {
        String r = "io/joblib4j/X.class";
        assertThat(WorkerClassPath.root(
                        URI.create("jar:file:/opt/lib/core.jar!/" + r).toURL(), r))
                .isEqualTo("/opt/lib/core.jar");
        assertThat(WorkerClassPath.root(URI.create("file:/opt/classes/" + r).toURL(), r))
                .isEqualTo("/opt/classes");
        assertThat(WorkerClassPath.root(
                        URI.create("jar:file:/opt/app.jar!/BOOT-INF/lib/core.jar!/" + r)
                                .toURL(),
                        r))
                .isNull();
    }
}
