package io.joblib4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The module exports the API packages, and only them. */
class ModuleDescriptorTest {

    @Test
    void module_exportsApiPackagesOnly() throws Exception {
        // The descriptor compiled beside the core classes (the class path may hold other modules' descriptors too).
        Path classes = Path.of(
                Joblib.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path file = Files.isDirectory(classes) ? classes.resolve("module-info.class") : null;
        ModuleDescriptor descriptor;
        if (file != null) {
            try (InputStream in = Files.newInputStream(file)) {
                descriptor = ModuleDescriptor.read(in);
            }
        } else {
            try (java.util.jar.JarFile jar = new java.util.jar.JarFile(classes.toFile());
                    InputStream in = jar.getInputStream(jar.getEntry("module-info.class"))) {
                descriptor = ModuleDescriptor.read(in);
            }
        }
        Set<String> exported = descriptor.exports().stream()
                .map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet());
        assertThat(descriptor.name()).isEqualTo("io.joblib4j.core");
        assertThat(exported)
                .containsExactlyInAnyOrder(
                        "io.joblib4j",
                        "io.joblib4j.parallel",
                        "io.joblib4j.backend",
                        "io.joblib4j.process",
                        "io.joblib4j.multiprocessing",
                        "io.joblib4j.persist",
                        "io.joblib4j.array",
                        "io.joblib4j.memory",
                        "io.joblib4j.hash");
        assertThat(descriptor.exports())
                .allSatisfy(e -> assertThat(e.isQualified()).isFalse());
        assertThat(descriptor.uses()).contains("io.joblib4j.backend.BackendProvider");
    }
}
