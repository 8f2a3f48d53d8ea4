package io.joblib4j.cli.demo;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code ./joblib4j demo} reports at the end: a table with one row per example variant (its time and a note),
 * and the charts sections add with {@link #memoryChart} (written with {@code --report DIR}).
 */
public final class DemoReport {
    private record Row(String section, String example, String variant, Duration time, String note) {}

    private final List<Row> rows = new ArrayList<>();
    private final java.util.Map<String, MemoryChart> charts = new java.util.LinkedHashMap<>();
    private String section = "";

    /** Rows added from now on belong to {@code title}. */
    public void section(String title) {
        this.section = title;
        Timelines.section(title);
    }

    /** Adds a row: the example, the variant (backend, codec, ...), how long it took and what came out. */
    public void row(String example, String variant, Duration time, String note) {
        rows.add(new Row(section, example, variant, time, note == null ? "" : note));
    }

    /**
     * The memory-over-time chart named {@code name} (a file name: lower case letters, digits and dashes), made with
     * {@code title} and {@code yLabel} (what is measured, such as "peak live heap growth so far") on first use; later
     * calls with the same name return the same chart. Add one series per variant to it.
     */
    public MemoryChart memoryChart(String name, String title, String yLabel) {
        if (!name.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
            throw new IllegalArgumentException(
                    "chart name \"" + name + "\" is not a file name of lower case letters, digits and dashes");
        }
        synchronized (charts) {
            return charts.computeIfAbsent(name, n -> new MemoryChart(n, title, yLabel));
        }
    }

    /** Writes every chart that has a series to {@code dir} (created if needed); returns the PNG files written. */
    public List<java.nio.file.Path> writeCharts(java.nio.file.Path dir) throws java.io.IOException {
        List<MemoryChart> all;
        synchronized (charts) {
            all = List.copyOf(charts.values());
        }
        List<java.nio.file.Path> written = new ArrayList<>();
        for (MemoryChart c : all) {
            if (!c.variants().isEmpty()) {
                written.add(c.write(dir));
            }
        }
        return written;
    }

    /** Prints the table. */
    public void print(PrintStream out) {
        String[] head = {"section", "example", "variant", "time", "result"};
        List<String[]> cells = new ArrayList<>();
        for (Row r : rows) {
            cells.add(new String[] {r.section, r.example, r.variant, r.time == null ? "" : seconds(r.time), r.note});
        }
        int[] width = new int[head.length];
        for (int i = 0; i < head.length; i++) {
            width[i] = head[i].length();
            for (String[] c : cells) {
                width[i] = Math.max(width[i], c[i].length());
            }
        }
        printRow(out, head, width);
        StringBuilder rule = new StringBuilder();
        for (int w : width) {
            rule.append("-".repeat(w)).append("  ");
        }
        out.println(rule.toString().stripTrailing());
        for (String[] c : cells) {
            printRow(out, c, width);
        }
    }

    private static void printRow(PrintStream out, String[] c, int[] width) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < c.length; i++) {
            boolean right = i == 3;
            String pad = " ".repeat(width[i] - c[i].length());
            sb.append(right ? pad + c[i] : c[i] + pad).append("  ");
        }
        out.println(sb.toString().stripTrailing());
    }

    /** {@code 1.234 s}. */
    public static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3f s", d.toNanos() / 1e9);
    }
}
