package io.joblib4j.cli.demo;

import io.joblib4j.cli.chart.Charts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One memory-over-time chart of {@code ./joblib4j demo --report DIR}: a line per variant of an example, memory in MB
 * (log scale) against seconds since the variant started. A section gets it from {@link DemoReport#memoryChart} and
 * adds a series per variant it measures, for instance a {@link HeapMeter}'s {@link HeapMeter#peakSoFar()} or a
 * {@link PeakMemory.PeakSampler}'s {@link PeakMemory.PeakSampler#peakSoFar(long)}; the chart is written, as
 * {@code DIR/<name>.png} and {@code .svg}, when the demo ends. Series are kept even when no report is asked for (a
 * few hundred points each).
 */
public final class MemoryChart {
    private final String name;
    private final String title;
    private final String yLabel;
    private final Map<String, double[][]> series = new LinkedHashMap<>();

    MemoryChart(String name, String title, String yLabel) {
        this.name = name;
        this.title = title;
        this.yLabel = yLabel;
    }

    /** The file name of the chart, without extension. */
    public String name() {
        return name;
    }

    /**
     * Adds (or replaces) the line {@code variant}: {@code (seconds, bytes)} points in time order, such as
     * {@link HeapMeter#peakSoFar()}. Points at 0 bytes or less are not drawn (the axis is logarithmic).
     */
    public MemoryChart add(String variant, double[][] secondsAndBytes) {
        double[][] mb = new double[secondsAndBytes.length][];
        for (int i = 0; i < mb.length; i++) {
            double[] p = secondsAndBytes[i];
            if (p.length != 2) {
                throw new IllegalArgumentException("point " + i + " of \"" + variant + "\" has " + p.length
                        + " values; expected 2 (seconds, bytes)");
            }
            mb[i] = new double[] {p[0], p[1] / 1e6};
        }
        synchronized (series) {
            series.put(variant, mb);
        }
        return this;
    }

    /** The variants added so far, in order. */
    public java.util.List<String> variants() {
        synchronized (series) {
            return java.util.List.copyOf(series.keySet());
        }
    }

    /** Writes {@code dir/<name>.png} and {@code .svg}; returns the PNG's path. */
    Path write(Path dir) throws IOException {
        Map<String, double[][]> copy;
        synchronized (series) {
            copy = new LinkedHashMap<>(series);
        }
        Charts.lines(dir, name, title, "seconds", yLabel + " (MB, log scale)", copy, true);
        return dir.resolve(name + ".png");
    }
}
