package io.joblib4j.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every Java example in README.md and docs/*.md is copied from a {@code // region} of a test class that the build
 * runs: this test fails when a document shows code that no test runs (or that a test changed since). The
 * {@code import} lines an example shows must be imports of that test class, and the 30-second examples of the
 * README show every import they need, so that a reader can paste them.
 */
class DocSnippetsTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    /** {@code // region NAME ... // endregion}, {@code // doc:NAME ... // end:NAME}, {@code // tag::NAME[] ... // end::NAME[]}. */
    private static final Pattern REGION = Pattern.compile(
            "// (?:region [^\\n]*|doc:[^\\n]*|tag::[^\\n]*)\\n(.*?)// (?:endregion|end:[^\\n]*|end::[^\\n]*)",
            Pattern.DOTALL);

    private static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("README.md"))) {
            dir = dir.getParent();
        }
        assertThat(dir)
                .as("project root with README.md above " + Path.of("").toAbsolutePath())
                .isNotNull();
        return dir;
    }

    /** The non-blank lines, stripped (indentation differs between a document and a test method), without imports. */
    private static List<String> lines(String text) {
        return text.lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("import "))
                .toList();
    }

    /** The {@code import} lines of a text, stripped. */
    private static Set<String> imports(String text) {
        Set<String> imports = new TreeSet<>();
        text.lines().map(String::strip).filter(l -> l.startsWith("import ")).forEach(imports::add);
        return imports;
    }

    /** A region of a test class: its lines (without imports), and the imports of its file. */
    private record Region(Path file, List<String> lines, Set<String> fileImports) {
        boolean holds(List<String> block, Set<String> blockImports) {
            // Compared without whitespace: the formatter may wrap a test's code where the document does not.
            return squeezed(lines).contains(squeezed(block)) && fileImports.containsAll(blockImports);
        }

        private static String squeezed(List<String> lines) {
            return String.join("", lines).replaceAll("\\s+", "");
        }
    }

    private static List<Region> regions(Path root) throws IOException {
        List<Region> regions = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root.resolve("core/src/test/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith("Test.java")).toList()) {
                String text = Files.readString(f);
                Set<String> fileImports = imports(text);
                Matcher m = REGION.matcher(text);
                while (m.find()) {
                    regions.add(new Region(f, lines(m.group(1)), fileImports));
                }
            }
        }
        return regions;
    }

    /** The simple name an import brings in: {@code List} for {@code import java.util.List;}. */
    private static String importedName(String importLine) {
        String name = importLine.substring(0, importLine.length() - 1); // drop ';'
        return name.substring(name.lastIndexOf('.') + 1);
    }

    @Test
    void everyJavaExampleInTheDocuments_isTheCodeOfATestRegion() throws IOException {
        Path root = root();
        List<Region> regions = regions(root);
        assertThat(regions).isNotEmpty();
        List<Path> docs = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> d = Files.list(root.resolve("docs"))) {
            docs.addAll(d.filter(p -> p.toString().endsWith(".md")).sorted().toList());
        }
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (Path doc : docs) {
            Matcher m = JAVA_BLOCK.matcher(Files.readString(doc));
            while (m.find()) {
                List<String> block = lines(m.group(1));
                Set<String> blockImports = imports(m.group(1));
                checked++;
                if (regions.stream().noneMatch(r -> r.holds(block, blockImports))) {
                    missing.add(root.relativize(doc) + ":\n" + String.join("\n", blockImports) + "\n"
                            + String.join("\n", block));
                }
            }
        }
        assertThat(checked).isGreaterThan(5);
        assertThat(missing)
                .as("examples in documents that no test region holds (with the imports shown)")
                .isEmpty();
    }

    @Test
    void readmeThirtySecondExamples_showEveryImportTheyNeed() throws IOException {
        Path root = root();
        List<Region> regions = regions(root);
        String readme = Files.readString(root.resolve("README.md"));
        Matcher sections = Pattern.compile(
                        "^## ([^\\n]*in 30 seconds)\\n(.*?)(?=^## |\\z)",
                        Pattern.DOTALL | Pattern.MULTILINE | Pattern.CASE_INSENSITIVE)
                .matcher(readme);
        List<String> problems = new ArrayList<>();
        int checked = 0;
        while (sections.find()) {
            Matcher m = JAVA_BLOCK.matcher(sections.group(2));
            while (m.find()) {
                List<String> block = lines(m.group(1));
                Set<String> shown = imports(m.group(1));
                String code = String.join("\n", block);
                checked++;
                Region region = regions.stream()
                        .filter(r -> r.holds(block, shown))
                        .findFirst()
                        .orElse(null);
                if (region == null) {
                    problems.add(sections.group(1) + ": no test region holds\n" + code);
                    continue;
                }
                for (String needed : region.fileImports()) {
                    if (Pattern.compile("\\b" + Pattern.quote(importedName(needed)) + "\\b")
                                    .matcher(code)
                                    .find()
                            && !shown.contains(needed)) {
                        problems.add(sections.group(1) + ": the example uses " + importedName(needed)
                                + " but does not show '" + needed + "' (imported by " + root.relativize(region.file())
                                + ")");
                    }
                }
            }
        }
        assertThat(checked)
                .as("Java examples under README headings '... in 30 seconds'")
                .isGreaterThanOrEqualTo(3);
        assertThat(problems).isEmpty();
    }
}
