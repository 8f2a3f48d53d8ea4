package io.joblib4j.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Charts of benchmark results, written as PNG and SVG (with {@link io.joblib4j.cli.chart.Charts}, the demo's chart
 * code) when a report folder is set: {@code ./joblib4j bench SUITE --report DIR}, or
 * {@code -Djoblib4j.bench.report=DIR}; nothing is drawn otherwise.
 */
public final class Charts {
    /** The system property naming the report folder. */
    public static final String PROPERTY = "joblib4j.bench.report";

    private Charts() {}

    /** The report folder, or null when charts are not wanted. */
    public static Path reportDir() {
        String d = System.getProperty(PROPERTY);
        return d == null || d.isBlank() ? null : Path.of(d);
    }

    /** {@link io.joblib4j.cli.chart.Charts#bars} into the report folder, if one is set. */
    public static void bars(
            String name,
            String title,
            String valueLabel,
            List<String> categories,
            Map<String, double[]> series,
            boolean log)
            throws IOException {
        Path dir = reportDir();
        if (dir != null) {
            io.joblib4j.cli.chart.Charts.bars(dir, name, title, valueLabel, categories, series, log);
        }
    }

    /** {@link io.joblib4j.cli.chart.Charts#lines} into the report folder, if one is set. */
    public static void lines(
            String name, String title, String xLabel, String yLabel, Map<String, double[][]> series, boolean logY)
            throws IOException {
        Path dir = reportDir();
        if (dir != null) {
            io.joblib4j.cli.chart.Charts.lines(dir, name, title, xLabel, yLabel, series, logY);
        }
    }
}
