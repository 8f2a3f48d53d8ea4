package io.joblib4j.cli.demo;

import io.joblib4j.cli.text.Table;
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
        List<String[]> table = new ArrayList<>();
        table.add(new String[] {"section", "example", "variant", "time", "result"});
        for (Row r : rows) {
            table.add(new String[] {r.section, r.example, r.variant, r.time == null ? "" : seconds(r.time), r.note});
        }
        Table.lines(table, false, false, false, true, false).forEach(out::println); // times aligned right
    }

    /** {@code 1.234 s}. */
    public static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3f s", d.toNanos() / 1e9);
    }
}
