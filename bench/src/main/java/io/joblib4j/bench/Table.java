package io.joblib4j.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table of benchmark rows, printed in Markdown so it can be pasted into BENCHMARKS.md. */
public final class Table {
    private final String[] head;
    private final List<String[]> rows = new ArrayList<>();

    public Table(String... head) {
        this.head = head;
    }

    public void row(Object... cells) {
        String[] r = new String[head.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = i < cells.length && cells[i] != null ? cells[i].toString() : "";
        }
        rows.add(r);
        System.err.println("  " + String.join(" | ", r));
    }

    public void print(PrintStream out) {
        out.println("| " + String.join(" | ", head) + " |");
        out.println("|" + "---|".repeat(head.length));
        for (String[] r : rows) {
            out.println("| " + String.join(" | ", r) + " |");
        }
    }
}
