package io.joblib4j.cli.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Plain-text tables for the terminal, as {@code ./joblib4j cache} and {@code ./joblib4j demo} print them: the first
 * row is the header, a rule of dashes follows it, columns are as wide as their widest cell and two spaces apart,
 * and no line ends in spaces.
 */
public final class Table {
    private Table() {}

    /**
     * The lines of a table of {@code rows} (the first is the header; every row has the same number of cells).
     *
     * @param rightAligned per column, whether its cells are aligned to the right (numbers); missing: left
     * @throws IllegalArgumentException if a row has another number of cells than the header
     */
    public static List<String> lines(List<String[]> rows, boolean... rightAligned) {
        List<String> out = new ArrayList<>();
        if (rows.isEmpty()) {
            return out;
        }
        int columns = rows.getFirst().length;
        int[] width = new int[columns];
        for (String[] r : rows) {
            if (r.length != columns) {
                throw new IllegalArgumentException(
                        "a table row has " + r.length + " cells, expected " + columns + " as in its header");
            }
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (int ri = 0; ri < rows.size(); ri++) {
            String[] r = rows.get(ri);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                boolean right = i < rightAligned.length && rightAligned[i];
                String pad = " ".repeat(width[i] - r[i].length());
                sb.append(right ? pad + r[i] : r[i] + pad).append("  ");
            }
            out.add(sb.toString().stripTrailing());
            if (ri == 0) {
                StringBuilder rule = new StringBuilder();
                for (int w : width) {
                    rule.append("-".repeat(w)).append("  ");
                }
                out.add(rule.toString().stripTrailing());
            }
        }
        return out;
    }
}
