package io.joblib4j.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import io.joblib4j.Joblib;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of core, as docs/architecture.md draws it:
 *
 * <pre>
 *   process, multiprocessing       (backends and tools on worker JVMs; process is found through a BackendProvider)
 *        |            \
 *   internal.process   \           (the worker-JVM runtime they share)
 *        |              \
 *   parallel (engine) -> backend (SPI)      memory
 *        \                 |                  |
 *         `-----------> root (Joblib facade, Task and the Serializable* types)
 *                          |
 *                       persist -> array, hash
 *                          |
 *                       internal (shared helpers; depends on no other joblib4j package)
 * </pre>
 *
 * No package depends on one above it, and no two packages depend on each other, even through others.
 */
class LayeringTest {
    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.joblib4j");
    }

    @Test
    void noCyclesBetweenPackages() {
        ArchRule rule = slices().matching("io.joblib4j.(**)").should().beFreeOfCycles();
        rule.check(core);
    }

    @Test
    void layers_dependOnlyDownwards() {
        ArchRule rule = layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("Internal")
                .definedBy("io.joblib4j.internal")
                .layer("Data")
                .definedBy("io.joblib4j.array..", "io.joblib4j.hash..", "io.joblib4j.persist..")
                .layer("Root")
                .definedBy("io.joblib4j")
                .layer("Spi")
                .definedBy("io.joblib4j.backend..")
                .layer("Engine")
                .definedBy("io.joblib4j.parallel..")
                .layer("Memory")
                .definedBy("io.joblib4j.memory..")
                .layer("WorkerRuntime")
                .definedBy("io.joblib4j.internal.process..")
                .layer("ProcessBackends")
                .definedBy("io.joblib4j.process..", "io.joblib4j.multiprocessing..")
                .whereLayer("ProcessBackends")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("WorkerRuntime")
                .mayOnlyBeAccessedByLayers("ProcessBackends")
                .whereLayer("Memory")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("Engine")
                .mayOnlyBeAccessedByLayers("ProcessBackends")
                .whereLayer("Spi")
                .mayOnlyBeAccessedByLayers("Engine", "WorkerRuntime", "ProcessBackends")
                .whereLayer("Root")
                .mayOnlyBeAccessedByLayers("Spi", "Engine", "Memory", "WorkerRuntime", "ProcessBackends")
                .whereLayer("Data")
                .mayOnlyBeAccessedByLayers("Root", "Spi", "Engine", "Memory", "WorkerRuntime", "ProcessBackends");
        // Inside the data layer, persist uses array and hash, and hash uses array: the next test orders them.
        rule.check(core);
    }

    @Test
    void dataLayer_persistOverHashOverArray() {
        ArchRuleDefinition.noClasses()
                .that()
                .resideInAPackage("io.joblib4j.array..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.joblib4j.persist..", "io.joblib4j.hash..")
                .check(core);
        ArchRuleDefinition.noClasses()
                .that()
                .resideInAPackage("io.joblib4j.hash..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.joblib4j.persist..")
                .check(core);
    }

    @Test
    void internal_dependsOnNoOtherJoblib4jPackage() {
        ArchRuleDefinition.noClasses()
                .that()
                .resideInAPackage("io.joblib4j.internal")
                .should()
                .dependOnClassesThat(DescribedPredicate.describe(
                        "are in another joblib4j package",
                        (JavaClass c) -> c.getPackageName().startsWith("io.joblib4j")
                                && !c.getPackageName().equals("io.joblib4j.internal")))
                .check(core);
    }

    @Test
    void processBackend_usesOnlyExportedPackages_theWorkerRuntimeAndSharedHelpers() {
        Set<String> exported = exportedPackages();
        ArchRuleDefinition.classes()
                .that()
                .resideInAPackage("io.joblib4j.process")
                .should()
                .onlyDependOnClassesThat(DescribedPredicate.describe(
                        "are outside joblib4j, in an exported package, in the worker runtime or shared helpers",
                        (JavaClass c) -> !c.getPackageName().startsWith("io.joblib4j")
                                || exported.contains(c.getPackageName())
                                || c.getPackageName().equals("io.joblib4j.internal.process")
                                || c.getPackageName().equals("io.joblib4j.internal")))
                .check(core);
    }

    @Test
    void backendSpi_exposesNoInternalType() {
        ArchRuleDefinition.noClasses()
                .that()
                .resideInAPackage("io.joblib4j.backend")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.joblib4j.internal..", "io.joblib4j.parallel..", "io.joblib4j.process..")
                .check(core);
    }

    @Test
    void moduleDescriptor_exportsNoInternalPackage() {
        assertNoneInternal(exportedPackages());
    }

    static Set<String> exportedPackages() {
        try {
            Path classes = Path.of(Joblib.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            Path descriptor = Files.isDirectory(classes) ? classes.resolve("module-info.class") : null;
            try (InputStream in = descriptor != null
                    ? Files.newInputStream(descriptor)
                    : Joblib.class.getModule().getResourceAsStream("module-info.class")) {
                ModuleDescriptor d = ModuleDescriptor.read(in);
                return d.exports().stream()
                        .map(ModuleDescriptor.Exports::source)
                        .collect(Collectors.toSet());
            }
        } catch (IOException | URISyntaxException e) {
            throw new AssertionError("cannot read core's module descriptor", e);
        }
    }

    private static void assertNoneInternal(Set<String> exported) {
        org.assertj.core.api.Assertions.assertThat(exported).isNotEmpty().noneMatch(p -> p.contains(".internal"));
    }
}
