package io.joblib4j.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every Java example in README.md and docs/*.md is copied from a {@code // region} of a test class that the build
 * runs: this test fails when a document shows code that no test runs (or that a test changed since).
 */
class DocSnippetsTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    /** {@code // region NAME ... // endregion}, {@code // doc:NAME ... // end:NAME}, {@code // tag::NAME[] ... // end::NAME[]}. */
    private static final Pattern REGION = Pattern.compile(
            "// (?:region [^\\n]*|doc:[^\\n]*|tag::[^\\n]*)\\n(.*?)// (?:endregion|end:[^\\n]*|end::[^\\n]*)", Pattern.DOTALL);

    private static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("README.md"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("project root with README.md above " + Path.of("").toAbsolutePath()).isNotNull();
        return dir;
    }

    /** The non-blank lines, stripped (indentation differs between a document and a test method), without imports. */
    private static List<String> lines(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("import ")).toList();
    }

    private static List<List<String>> regions(Path root) throws IOException {
        List<List<String>> regions = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root.resolve("core/src/test/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith("Test.java")).toList()) {
                Matcher m = REGION.matcher(Files.readString(f));
                while (m.find()) {
                    regions.add(lines(m.group(1)));
                }
            }
        }
        return regions;
    }

    @Test
    void everyJavaExampleInTheDocuments_isTheCodeOfATestRegion() throws IOException {
        Path root = root();
        List<List<String>> regions = regions(root);
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
                checked++;
                if (regions.stream().noneMatch(r -> containsRun(r, block))) {
                    missing.add(root.relativize(doc) + ":\n" + String.join("\n", block));
                }
            }
        }
        assertThat(checked).isGreaterThan(5);
        assertThat(missing).as("examples in documents that no test region holds").isEmpty();
    }

    private static boolean containsRun(List<String> haystack, List<String> needle) {
        return java.util.Collections.indexOfSubList(haystack, needle) >= 0;
    }
}
