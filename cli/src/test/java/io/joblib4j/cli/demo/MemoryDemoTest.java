package io.joblib4j.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryDemoTest {
    @TempDir
    Path dir;

    @Test
    void demo_runsEachFunctionOncePerArgument_andSecondParallelRoundHitsTheCache() {
        PrintStream oldOut = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        DemoReport report = new DemoReport();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            MemoryDemo demo = new MemoryDemo(System.out);
            report.section(demo.title());
            demo.runIn(dir, report);
        } finally {
            System.setOut(oldOut);
        }
        report.print(new PrintStream(table, true, StandardCharsets.UTF_8));
        String out = printed.toString(StandardCharsets.UTF_8);
        assertThat(out).containsOnlyOnce("Running f(1)").containsOnlyOnce("Running f(2)");
        assertThat(out)
                .containsOnlyOnce("A long-running calculation, with parameter 3")
                .containsOnlyOnce("A second long-running calculation, using g(x)")
                .contains("[0.08, 1.0, 0.08]")
                .contains("True");
        assertThat(out).as("the matrix is labelled").contains(">>> b2\n  [");
        assertThat(out)
                .as("call_and_shelve is shown")
                .contains(">>> result = g.call_and_shelve(4)")
                .contains("CachedResult(g(4)")
                .contains(">>> result.clear()")
                .containsPattern("error: the cached result of g\\(4\\) is no longer in");
        assertThat(out)
                .as("feedback on the 2 s round")
                .contains("  > costly_compute x4 columns, Parallel(nJobs=2), first round");
        assertThat(out).as("each result once").containsOnlyOnce("column means");
        String t = table.toString(StandardCharsets.UTF_8);
        assertThat(t)
                .contains("costly_compute x4 columns")
                .contains("first round")
                .contains("second round");
        double second = Double.parseDouble(t.lines()
                .filter(l -> l.contains("second round"))
                .findFirst()
                .orElseThrow()
                .replaceAll(".*?(\\d+\\.\\d+) s.*", "$1"));
        assertThat(second)
                .as("second round reads the cache instead of sleeping 2 s")
                .isLessThan(1.0);
    }
}
