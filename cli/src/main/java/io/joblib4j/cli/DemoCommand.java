package io.joblib4j.cli;

import io.joblib4j.cli.demo.ClusterDemo;
import io.joblib4j.cli.demo.DemoReport;
import io.joblib4j.cli.demo.DemoSection;
import io.joblib4j.cli.demo.MemoryDemo;
import io.joblib4j.cli.demo.MultiprocessingDemo;
import io.joblib4j.cli.demo.ParallelDemo;
import io.joblib4j.cli.demo.PersistDemo;
import io.joblib4j.cli.demo.ProcessDemo;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./joblib4j demo}: runs the documents' examples, timed, and prints a table. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Run joblib's documented examples on joblib4j, timed, and print a table at the end.")
final class DemoCommand implements Callable<Integer> {

    @Option(
            names = "--only",
            paramLabel = "SECTION",
            description =
                    "Run only the sections whose title starts with this (case-insensitive), e.g. --only parallel.")
    String only;

    @Option(
            names = "--timeline",
            paramLabel = "DIR",
            description = "Write the timeline report (HTML) of each step's Parallel call to DIR/<section>-<step>.html.")
    java.nio.file.Path timeline;

    @Option(
            names = "--report",
            paramLabel = "DIR",
            description = "Also draw the demo's charts (memory over time, PNG and SVG) into DIR, e.g. docs/img.")
    java.nio.file.Path chartDir;

    static List<DemoSection> sections() {
        return List.of(
                new ParallelDemo(),
                new MemoryDemo(),
                new PersistDemo(),
                new ProcessDemo(),
                new MultiprocessingDemo(),
                new ClusterDemo());
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<DemoSection> chosen = sections().stream()
                .filter(s ->
                        only == null || s.title().toLowerCase(Locale.ROOT).startsWith(only.toLowerCase(Locale.ROOT)))
                .toList();
        if (chosen.isEmpty()) {
            spec.commandLine()
                    .getErr()
                    .println("unknown demo section \"" + only + "\": expected one of "
                            + sections().stream()
                                    .map(s -> s.title().toLowerCase(Locale.ROOT))
                                    .toList()
                            + " (or the start of one)");
            return 2;
        }
        io.joblib4j.cli.demo.Timelines.into(timeline);
        DemoReport report = new DemoReport();
        for (DemoSection section : chosen) {
            System.out.println();
            System.out.println("== " + section.title() + " ==");
            report.section(section.title());
            section.run(report);
        }
        System.out.println();
        report.print(System.out);
        if (chartDir != null) {
            System.out.println();
            System.out.println("Charts in " + chartDir.toAbsolutePath() + ":");
            for (java.nio.file.Path png : report.writeCharts(chartDir)) {
                System.out.println("  " + png.getFileName() + " (+ .svg)");
            }
        }
        if (timeline != null) {
            System.out.println();
            System.out.println("Timeline reports (open in a browser) in " + timeline.toAbsolutePath() + ":");
            try (var files = java.nio.file.Files.list(timeline)) {
                files.map(f -> f.getFileName().toString())
                        .filter(n -> n.endsWith(".html"))
                        .sorted()
                        .forEach(n -> System.out.println("  " + n));
            }
        }
        return 0;
    }
}
