package io.joblib4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The module exports the API packages, and only them. */
class ModuleDescriptorTest {

    @Test
    void module_exportsApiPackagesOnly() throws IOException {
        ModuleDescriptor descriptor;
        try (InputStream in = Joblib.class.getResourceAsStream("/module-info.class")) {
            assertThat(in).as("module-info.class next to the core classes").isNotNull();
            descriptor = ModuleDescriptor.read(in);
        }
        Set<String> exported = descriptor.exports().stream().map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet());
        assertThat(descriptor.name()).isEqualTo("io.joblib4j.core");
        assertThat(exported).containsExactlyInAnyOrder("io.joblib4j", "io.joblib4j.parallel", "io.joblib4j.backend",
                "io.joblib4j.process", "io.joblib4j.persist", "io.joblib4j.array", "io.joblib4j.memory",
                "io.joblib4j.hash");
        assertThat(descriptor.exports()).allSatisfy(e -> assertThat(e.isQualified()).isFalse());
        assertThat(descriptor.uses()).contains("io.joblib4j.backend.BackendProvider");
    }
}
