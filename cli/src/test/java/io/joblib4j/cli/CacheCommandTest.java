package io.joblib4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.memory.CachedFunction;
import io.joblib4j.memory.Memory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CacheCommandTest {
    @TempDir
    Path dir;

    static int[] ints(int n) {
        return new int[n];
    }

    static String greet(String name) {
        return "hello " + name;
    }

    private record Run(int code, String out, String err) {}

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Memory populate() {
        Memory memory = Memory.builder().location(dir).verbose(0).build();
        CachedFunction<Integer, int[]> f = memory.cache(CacheCommandTest::ints);
        for (int i = 1; i <= 3; i++) {
            f.apply(i * 10_000);
        }
        memory.cache(CacheCommandTest::greet).apply("joblib");
        return memory;
    }

    @Test
    void ls_listsFunctionsWithEntriesAndSizes() {
        populate();
        Run r = run("cache", "ls", dir.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .contains("function", "entries", "size", "last access")
                .containsPattern("io\\.joblib4j\\.cli\\.CacheCommandTest\\.ints +3 +\\d+\\.\\d KiB")
                .containsPattern("io\\.joblib4j\\.cli\\.CacheCommandTest\\.greet +1 ")
                .contains("2 functions, 4 entries");
    }

    @Test
    void info_showsCodeRecordEntriesAndOneEntry() {
        populate();
        Run r = run("cache", "info", dir.toString(), "io.joblib4j.cli.CacheCommandTest.greet");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("code_version").contains("1 entry").contains("{name=\"joblib\"}");
        String key = r.out()
                .lines()
                .filter(l -> l.matches("[0-9a-f]{32} .*"))
                .findFirst()
                .orElseThrow()
                .substring(0, 32);
        Run one = run("cache", "info", dir.toString(), "io.joblib4j.cli.CacheCommandTest.greet", key);
        assertThat(one.out())
                .contains("key:         " + key)
                .contains("name = \"joblib\"")
                .contains("output:");
    }

    @Test
    void info_unknownFunction_listsTheKnownOnes() {
        populate();
        Run r = run("cache", "info", dir.toString(), "nope");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("no function \"nope\"").contains("CacheCommandTest.greet");
    }

    @Test
    void prune_byItemsAndAge_removesLeastRecentlyUsed() throws Exception {
        Memory memory = populate();
        Run r = run("cache", "prune", dir.toString(), "--items", "2");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("removed 2 entries").contains("2 left");
        try (Stream<Path> s = Files.walk(dir.resolve("joblib4j"), 2)) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("[0-9a-f]{32}"))
                    .toList()) {
                Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(Duration.ofDays(3))));
            }
        }
        assertThat(run("cache", "prune", dir.toString(), "--age", "2d").out()).contains("removed 2 entries");
        assertThat(memory.entries()).isEmpty();
        assertThat(run("cache", "prune", dir.toString()).err()).contains("at least one limit");
        assertThat(run("cache", "prune", dir.toString(), "--age", "soon").err()).contains("invalid age \"soon\"");
    }

    @Test
    void clear_oneFunctionThenAll() {
        populate();
        Run one = run("cache", "clear", dir.toString(), "io.joblib4j.cli.CacheCommandTest.greet");
        assertThat(one.out()).contains("removed 1 entry");
        assertThat(run("cache", "ls", dir.toString()).out())
                .doesNotContain("greet")
                .contains("1 function, 3 entries");
        assertThat(run("cache", "clear", dir.toString()).out()).contains("removed 3 entries");
        assertThat(run("cache", "ls", dir.toString()).out()).contains("0 functions, 0 entries");
    }

    @Test
    void clear_directoryThatIsNotAStore_isRefusedNamingIt_andNothingIsDeleted() throws Exception {
        Path root = dir.resolve("joblib4j");
        Files.createDirectories(root.resolve("core/src"));
        Files.writeString(root.resolve("core/src/Main.java"), "class Main {}");
        Files.createDirectories(root.resolve("docs"));
        Files.writeString(root.resolve("docs/README.md"), "# docs");
        for (String[] args : new String[][] {
            {"cache", "clear", dir.toString()},
            {"cache", "prune", dir.toString(), "--items", "0"},
            {"cache", "clear", dir.toString(), "core"},
            {"cache", "ls", dir.toString()}
        }) {
            Run r = run(args);
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err()).contains(root + " is not a joblib4j store").doesNotContain("removed");
            assertThat(r.out()).doesNotContain("removed");
        }
        assertThat(root.resolve("core/src/Main.java")).hasContent("class Main {}");
        assertThat(root.resolve("docs/README.md")).hasContent("# docs");
    }

    @Test
    void clear_storeWithForeignFiles_removesOnlyEntries() throws Exception {
        populate();
        Path notes = dir.resolve("joblib4j/notes/todo.txt");
        Files.createDirectories(notes.getParent());
        Files.writeString(notes, "mine");
        Run r = run("cache", "clear", dir.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("removed 4 entries");
        assertThat(notes).hasContent("mine");
        assertThat(run("cache", "ls", dir.toString()).out()).contains("0 functions, 0 entries");
    }

    @Test
    void ls_directoryWithoutCache_saysWhatItExpected() {
        Run r = run("cache", "ls", dir.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("no Memory cache in " + dir);
    }
}
