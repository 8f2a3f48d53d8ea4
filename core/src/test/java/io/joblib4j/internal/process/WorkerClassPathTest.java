package io.joblib4j.internal.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@link WorkerClassPath} finds the workers' class path; real launches are in {@code LauncherTest}. */
class WorkerClassPathTest {

    @Test
    void resolve_contextLoaderBelowTheApplicationLoader_addsItsFolders(@TempDir Path classes) throws Exception {
        try (URLClassLoader context =
                new URLClassLoader(new URL[] {classes.toUri().toURL()}, ClassLoader.getSystemClassLoader())) {
            WorkerClassPath cp = WorkerClassPath.resolve(null, context);

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
