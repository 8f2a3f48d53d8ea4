package io.joblib4j.cli.chart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * The charts of {@code ./joblib4j bench SUITE --report DIR} and {@code ./joblib4j demo --report DIR}, written as PNG
 * (JFreeChart) and SVG (JFreeSVG) to {@code DIR/<name>.png} and {@code .svg}. Drawn off screen (headless AWT).
 */
public final class Charts {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 480;
    private static final Color[] PALETTE = {
        new Color(0x4c8ed9), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)
    };

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private Charts() {}

    /**
     * A grouped bar chart: one group per category, one bar per series ({@code NaN}: no bar). A log scale for values
     * that span orders of magnitude. Writes {@code dir/name.png} and {@code dir/name.svg}.
     */
    public static void bars(
            Path dir,
            String name,
            String title,
            String valueLabel,
            List<String> categories,
            Map<String, double[]> series,
            boolean log)
            throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Map.Entry<String, double[]> s : series.entrySet()) {
            for (int i = 0; i < categories.size(); i++) {
                double v = s.getValue()[i];
                if (!Double.isNaN(v) && (!log || v > 0)) {
                    data.addValue(v, s.getKey(), categories.get(i));
                }
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(
                title, null, valueLabel, data, PlotOrientation.VERTICAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.getDomainAxis().setMaximumCategoryLabelLines(3); // long names wrap instead of ending in "..."
        if (log) {
            plot.setRangeAxis(logAxis(valueLabel, 1e-3));
        }
        BarRenderer r = (BarRenderer) plot.getRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setItemMargin(0.02);
        for (int i = 0; i < series.size(); i++) {
            r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        }
        style(chart);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        write(chart, dir, name);
    }

    /**
     * A line chart of {@code (x, y)} points per series, with a log y axis when {@code logY} (points with y <= 0 are
     * left out then). Writes {@code dir/name.png} and {@code dir/name.svg}.
     */
    public static void lines(
            Path dir,
            String name,
            String title,
            String xLabel,
            String yLabel,
            Map<String, double[][]> series,
            boolean logY)
            throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, double[][]> s : series.entrySet()) {
            XYSeries xy = new XYSeries(s.getKey(), false, true);
            for (double[] p : s.getValue()) {
                if (!logY || p[1] > 0) {
                    xy.add(p[0], p[1]);
                }
            }
            data.addSeries(xy);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(
                title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        if (logY) {
            plot.setRangeAxis(logAxis(yLabel, 0.1));
        }
        ((NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(true);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < series.size(); i++) {
            r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            r.setSeriesStroke(i, new BasicStroke(2.2f));
        }
        plot.setRenderer(r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        style(chart);
        write(chart, dir, name);
    }

    /** A base-10 log axis with ticks at powers of ten, labelled as plain numbers (1, 10, 100, 0.01). */
    private static LogAxis logAxis(String label, double smallest) {
        LogAxis axis = new LogAxis(label);
        axis.setBase(10);
        axis.setSmallestValue(smallest);
        axis.setStandardTickUnits(new org.jfree.chart.axis.NumberTickUnitSource(true)); // whole powers of ten
        axis.setNumberFormatOverride(new java.text.DecimalFormat(
                "#,##0.###", java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT)));
        axis.setMinorTickMarksVisible(true);
        return axis;
    }

    private static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
    }

    private static void write(JFreeChart chart, Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Path png = dir.resolve(name + ".png");
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
        SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
        chart.draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
        Files.writeString(dir.resolve(name + ".svg"), g.getSVGDocument(), StandardCharsets.UTF_8);
        System.err.println("chart: " + png + " (+ .svg)");
    }
}
