package io.joblib4j.cli.demo;

import io.joblib4j.cli.text.Table;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The table {@code ./joblib4j demo} prints at the end: one row per example variant, with its time and a note. */
public final class DemoReport {
    private record Row(String section, String example, String variant, Duration time, String note) {}

    private final List<Row> rows = new ArrayList<>();
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
