package io.joblib4j.cli.demo;

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
