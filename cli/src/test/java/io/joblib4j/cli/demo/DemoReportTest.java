package io.joblib4j.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The memory charts that demo sections add to the report and {@code --report DIR} writes. */
class DemoReportTest {
    @TempDir
    Path tmp;

    @Test
    void writeCharts_drawsEachChartWithSeries_asPngAndSvg() throws Exception {
        DemoReport report = new DemoReport();
        MemoryChart chart = report.memoryChart("demo-test-memory", "Test: memory over time", "peak so far");
        chart.add("run (list)", new double[][] {{0, 16e6}, {1, 160e6}, {2, 1600e6}});
        chart.add("stream()", new double[][] {{0, 0}, {1, 32e6}, {2, 32e6}});
        assertThat(report.memoryChart("demo-test-memory", "other title", "other"))
                .isSameAs(chart);
        report.memoryChart("demo-empty", "No series", "bytes"); // nothing added: not written

        List<Path> written = report.writeCharts(tmp.resolve("img"));

        assertThat(written).containsExactly(tmp.resolve("img/demo-test-memory.png"));
        BufferedImage png = ImageIO.read(written.getFirst().toFile());
        assertThat(png.getWidth()).isEqualTo(900);
        assertThat(png.getHeight()).isEqualTo(480);
        // both lines are drawn, in the first two colours of the palette
        assertThat(countColour(png, 0x4c8ed9)).isGreaterThan(100);
        assertThat(countColour(png, 0xff7f0e)).isGreaterThan(100);
        String svg = Files.readString(tmp.resolve("img/demo-test-memory.svg"));
        assertThat(svg)
                .startsWith("<?xml")
                .contains("<svg")
                .contains("run (list)")
                .contains("stream()");
        assertThat(tmp.resolve("img/demo-empty.png")).doesNotExist();
    }

    @Test
    void memoryChart_badNameOrPoint_isRejected_namingTheValue() {
        DemoReport report = new DemoReport();
        assertThatThrownBy(() -> report.memoryChart("Bad Name/..", "t", "y"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"Bad Name/..\"");
        MemoryChart chart = report.memoryChart("ok", "t", "y");
        assertThatThrownBy(() -> chart.add("v", new double[][] {{0, 1}, {1}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("point 1 of \"v\" has 1 values");
    }

    private static int countColour(BufferedImage img, int rgb) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xffffff) == rgb) {
                    n++;
                }
            }
        }
        return n;
    }
}
