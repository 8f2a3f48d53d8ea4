package io.joblib4j.parallel;

import static io.joblib4j.Joblib.delayed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.joblib4j.Task;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The timeline report of a real call on worker JVMs, with one failing and one retried batch, rendered by headless
 * Chromium (Debian's {@code chromium}; {@code .ci/run} installs it): every batch has a bar in its worker's lane with
 * its outcome's colour, and the screenshot shows the bars. Each Chromium run is bounded in time, with a fresh
 * profile in the test's temp folder and no network, and killed with its child processes by PID if it overruns.
 */
class TimelineReportTest {
    private static final long CHROMIUM_SECONDS = 90;

    @TempDir
    Path tmp;

    /** The pid of the worker JVM running the task; task 3 throws; task 7 kills its worker the first time. */
    static long work(String marker, int i) {
        if (i == 3) {
            throw new IllegalStateException("task 3 fails on purpose");
        }
        if (i == 7) {
            try {
                Files.createFile(Path.of(marker));
                Runtime.getRuntime().halt(1);
            } catch (java.nio.file.FileAlreadyExistsException crashedBefore) {
                // the retry: run normally
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return ProcessHandle.current().pid();
    }

    /** A rect of the dumped DOM, with the lane group it is drawn in. */
    record Bar(String enclosingLane, Map<String, String> attributes) {
        String attr(String name) {
            return attributes.get(name);
        }
    }

    @Test
    void processesCall_withFailedAndRetriedBatch_rendersEveryBatchInItsLane() throws Exception {
        Path chromium = Chromium.find();
        Path report = tmp.resolve("report/timeline.html");
        String marker = tmp.resolve("crashed-once").toString();
        List<Outcome<Long>> outcomes;
        try (Parallel p = Parallel.builder()
                .backend("processes")
                .nJobs(2)
                .batchSize(2)
                .retries(1)
                .timeline(report)
                .build()) {
            List<? extends Task<Long>> tasks = IntStream.range(0, 12)
                    .mapToObj(i -> delayed(TimelineReportTest::work, marker, i))
                    .toList();
            try (var s = p.outcomes(tasks)) {
                outcomes = s.toList();
            }
        }
        assertThat(outcomes).hasSize(12);
        assertThat(outcomes.get(3).isFailure()).isTrue();
        assertThat(Files.exists(Path.of(marker)))
                .as("task 7 crashed its worker once")
                .isTrue();

        String html = Files.readString(report);
        assertThat(html).doesNotContainPattern("(src|href)\\s*=\\s*\"?(https?:)?//");

        String dom = Chromium.dumpDom(chromium, report, tmp.resolve("profile-dom"));
        List<Bar> bars = bars(dom);
        Map<String, Integer> laneIndex = lanes(dom);

        // Every batch's bar: which one holds each task, its outcome, its colour, and its lane.
        Map<Long, Bar> byFirst = new HashMap<>();
        for (Bar b : bars) {
            assertThat(b.attr("data-lane")).isEqualTo(b.enclosingLane());
            assertThat(b.attr("fill")).isEqualTo(colourOf(b.attr("data-outcome")));
            byFirst.put(Long.parseLong(b.attr("data-first")), b);
        }
        for (long first : new long[] {0, 2, 4, 8, 10}) {
            Bar b = byFirst.get(first);
            assertThat(b).as("bar of batch " + first).isNotNull();
            String expected = first == 2 ? "failed" : "ok";
            assertThat(b.attr("data-outcome")).as("batch " + first).isEqualTo(expected);
            // Its tasks ran in the worker its lane names (task 3 failed, so batch 2's pid is task 2's).
            long pid = outcomes.get((int) first).value();
            assertThat(b.attr("data-lane")).as("lane of batch " + first).isEqualTo("worker-" + pid);
        }
        List<Bar> atSix =
                bars.stream().filter(b -> b.attr("data-first").equals("6")).toList();
        Bar retried = atSix.stream()
                .filter(b -> b.attr("data-outcome").equals("retried"))
                .findFirst()
                .orElse(null);
        assertThat(retried).as("the batch whose worker crashed, in " + atSix).isNotNull();
        assertThat(retried.attr("fill")).isEqualTo(TimelineReport.RETRIED);
        // The rest of the batch ran again on another worker: task 7 (and task 6 if its value was lost in the crash).
        Bar rest = byFirst.containsKey(7L)
                ? byFirst.get(7L)
                : atSix.stream().filter(b -> !b.equals(retried)).findFirst().orElse(null);
        assertThat(rest).as("the retried rest of batch 6").isNotNull();
        assertThat(rest.attr("data-outcome")).isEqualTo("ok");
        assertThat(rest.attr("data-lane")).isEqualTo("worker-" + outcomes.get(7).value());
        assertThat(rest.attr("data-lane")).isNotEqualTo(retried.attr("data-lane"));
        assertThat(bars).hasSize(7);
        // Lanes: the caller's dispatch lane first, then the workers: the two first JVMs, and the crashed one's
        // replacement if it got a batch.
        assertThat(laneIndex.keySet().iterator().next()).isEqualTo(TimelineReport.CALLER_LANE);
        List<String> workerLanes =
                laneIndex.keySet().stream().filter(l -> l.startsWith("worker-")).toList();
        assertThat(workerLanes).hasSizeBetween(2, 3);
        for (Bar b : bars) {
            assertThat(workerLanes).contains(b.attr("data-lane"));
        }
        assertThat(dom).contains("id=\"fig-utilisation\"", "id=\"fig-idle-gap\"", "id=\"fig-dispatch\"");
        assertThat(dom).containsPattern("1 failed.*1 retried|1 retried.*1 failed");

        Path png = Chromium.screenshot(chromium, report, tmp.resolve("profile-shot"), tmp.resolve("shot.png"));
        String keep = System.getProperty("joblib4j.test.keepTimeline");
        if (keep != null) {
            Files.copy(report, Path.of(keep + ".html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(png, Path.of(keep + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        int[][] pixels = Png.decode(Files.readAllBytes(png));
        Map<Integer, Integer> colours = new HashMap<>();
        for (int[] row : pixels) {
            for (int rgb : row) {
                colours.merge(rgb, 1, Integer::sum);
            }
        }
        assertThat(colours.size()).as("distinct colours in the screenshot").isGreaterThan(10);
        assertThat(colours.getOrDefault(rgb(TimelineReport.OK), 0))
                .as("pixels of ok bars")
                .isGreaterThan(100);
        assertThat(colours.getOrDefault(rgb(TimelineReport.FAILED), 0))
                .as("pixels of the failed bar")
                .isGreaterThan(20);
        assertThat(colours.getOrDefault(rgb(TimelineReport.RETRIED), 0))
                .as("pixels of the retried bar")
                .isGreaterThan(20);
    }

    @Test
    void failingCall_stillWritesReport_withCancelledBatches() throws Exception {
        Path report = tmp.resolve("failed.html");
        Throwable thrown;
        try (var _ = ParallelConfig.builder().timeline(report).open()) {
            thrown = catchThrowable(() -> Parallel.builder()
                    .nJobs(2)
                    .batchSize(1)
                    .build()
                    .map(
                            (Integer i) -> {
                                if (i == 5) {
                                    throw new ArithmeticException("five");
                                }
                                return i;
                            },
                            IntStream.range(0, 20).boxed().toList()));
        }
        assertThat(thrown).isInstanceOf(ArithmeticException.class);
        String html = Files.readString(report);
        assertThat(html).contains("data-outcome=\"failed\"", "java.lang.ArithmeticException: five");
        assertThat(html).contains("</html>");
        // A call after the scope writes no report there.
        Files.delete(report);
        Parallel.of(2).map((Integer i) -> i, List.of(1, 2, 3));
        assertThat(report).doesNotExist();
    }

    private static int rgb(String hex) {
        return Integer.parseInt(hex.substring(1), 16);
    }

    private static String colourOf(String outcome) {
        return switch (outcome) {
            case "ok" -> TimelineReport.OK;
            case "failed" -> TimelineReport.FAILED;
            case "timed_out" -> TimelineReport.TIMED_OUT;
            case "retried" -> TimelineReport.RETRIED;
            case "lost" -> TimelineReport.LOST;
            case "cancelled" -> TimelineReport.CANCELLED;
            default -> throw new AssertionError("unknown outcome " + outcome);
        };
    }

    private static final Pattern TAG = Pattern.compile("<(/?)(g|rect)\\b([^>]*)>");
    private static final Pattern ATTR = Pattern.compile("([\\w-]+)=\"([^\"]*)\"");

    /** The batch rects of the dumped DOM, each with the lane group around it. */
    static List<Bar> bars(String dom) {
        List<Bar> out = new ArrayList<>();
        String lane = null;
        Matcher m = TAG.matcher(dom);
        while (m.find()) {
            Map<String, String> attrs = attributes(m.group(3));
            if (m.group(2).equals("g")) {
                lane = m.group(1).isEmpty() ? attrs.get("data-lane") : null;
            } else if (m.group(1).isEmpty() && attrs.getOrDefault("class", "").startsWith("batch")) {
                out.add(new Bar(lane, attrs));
            }
        }
        return out;
    }

    static Map<String, Integer> lanes(String dom) {
        Map<String, Integer> out = new LinkedHashMap<>();
        Matcher m = TAG.matcher(dom);
        while (m.find()) {
            if (m.group(2).equals("g") && m.group(1).isEmpty()) {
                Map<String, String> a = attributes(m.group(3));
                out.put(a.get("data-lane"), Integer.parseInt(a.get("data-lane-index")));
            }
        }
        return out;
    }

    private static Map<String, String> attributes(String text) {
        Map<String, String> attrs = new HashMap<>();
        Matcher a = ATTR.matcher(text);
        while (a.find()) {
            attrs.put(a.group(1), a.group(2).replace("&quot;", "\"").replace("&amp;", "&"));
        }
        return attrs;
    }

    /** Just enough of a PNG decoder for Chromium's screenshots: 8-bit RGB or RGBA, not interlaced. */
    static final class Png {
        static int[][] decode(byte[] file) throws IOException {
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(file));
            in.skipNBytes(8);
            int width = 0;
            int height = 0;
            int channels = 0;
            ByteArrayOutputStream idat = new ByteArrayOutputStream();
            while (true) {
                int length = in.readInt();
                String type = new String(in.readNBytes(4), StandardCharsets.US_ASCII);
                byte[] data = in.readNBytes(length);
                in.skipNBytes(4);
                if (type.equals("IHDR")) {
                    var h = java.nio.ByteBuffer.wrap(data);
                    width = h.getInt();
                    height = h.getInt();
                    int depth = data[8];
                    int colourType = data[9];
                    if (depth != 8 || (colourType != 2 && colourType != 6) || data[12] != 0) {
                        throw new IOException("unsupported PNG: depth " + depth + ", colour type " + colourType);
                    }
                    channels = colourType == 2 ? 3 : 4;
                } else if (type.equals("IDAT")) {
                    idat.write(data);
                } else if (type.equals("IEND")) {
                    break;
                }
            }
            Inflater inflater = new Inflater();
            inflater.setInput(idat.toByteArray());
            int stride = width * channels;
            byte[] raw = new byte[(stride + 1) * height];
            try {
                int n = 0;
                while (n < raw.length && !inflater.finished()) {
                    n += inflater.inflate(raw, n, raw.length - n);
                }
            } catch (java.util.zip.DataFormatException e) {
                throw new IOException(e);
            } finally {
                inflater.end();
            }
            int[][] out = new int[height][width];
            byte[] prev = new byte[stride];
            byte[] cur = new byte[stride];
            for (int y = 0; y < height; y++) {
                int filter = raw[y * (stride + 1)];
                System.arraycopy(raw, y * (stride + 1) + 1, cur, 0, stride);
                for (int i = 0; i < stride; i++) {
                    int a = i >= channels ? cur[i - channels] & 0xff : 0;
                    int b = prev[i] & 0xff;
                    int c = i >= channels ? prev[i - channels] & 0xff : 0;
                    int x = cur[i] & 0xff;
                    int v = switch (filter) {
                        case 0 -> x;
                        case 1 -> x + a;
                        case 2 -> x + b;
                        case 3 -> x + ((a + b) >>> 1);
                        case 4 -> x + paeth(a, b, c);
                        default -> throw new IOException("bad PNG filter " + filter);
                    };
                    cur[i] = (byte) v;
                }
                for (int px = 0; px < width; px++) {
                    int o = px * channels;
                    out[y][px] = (cur[o] & 0xff) << 16 | (cur[o + 1] & 0xff) << 8 | (cur[o + 2] & 0xff);
                }
                byte[] t = prev;
                prev = cur;
                cur = t;
            }
            return out;
        }

        private static int paeth(int a, int b, int c) {
            int p = a + b - c;
            int pa = Math.abs(p - a);
            int pb = Math.abs(p - b);
            int pc = Math.abs(p - c);
            return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
    }

    /** Headless Chromium, run with a deadline and killed with its children by PID. */
    static final class Chromium {
        static Path find() {
            for (String p : new String[] {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}) {
                if (Files.isExecutable(Path.of(p))) {
                    return Path.of(p);
                }
            }
            throw new AssertionError("headless Chromium is needed to render the timeline report: install Debian's "
                    + "chromium package (apt-get install -y chromium; .ci/run does)");
        }

        static String dumpDom(Path chromium, Path page, Path profile) throws Exception {
            return new String(
                    run(chromium, profile, List.of("--dump-dom", page.toUri().toString())), StandardCharsets.UTF_8);
        }

        static Path screenshot(Path chromium, Path page, Path profile, Path png) throws Exception {
            run(
                    chromium,
                    profile,
                    List.of(
                            "--screenshot=" + png,
                            "--window-size=1300,500",
                            page.toUri().toString()));
            assertThat(png).exists();
            return png;
        }

        private static byte[] run(Path chromium, Path profile, List<String> args) throws Exception {
            Files.createDirectories(profile);
            List<String> command = new ArrayList<>(List.of(
                    chromium.toString(),
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                    "--disable-extensions",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--proxy-server=127.0.0.1:9",
                    "--host-resolver-rules=MAP * ~NOTFOUND",
                    "--user-data-dir=" + profile));
            command.addAll(args);
            Path out = profile.resolve("stdout");
            Path err = profile.resolve("stderr");
            Process p = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            java.util.Set<ProcessHandle> family = new java.util.HashSet<>();
            try {
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(CHROMIUM_SECONDS);
                // Wait for the exit, noting the children as they appear, so none is left behind.
                while (!p.waitFor(200, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    p.descendants().forEach(family::add);
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("chromium did not finish within " + CHROMIUM_SECONDS + " s: "
                                + String.join(" ", command));
                    }
                }
                if (p.exitValue() != 0) {
                    throw new AssertionError("chromium exited with " + p.exitValue() + ": " + Files.readString(err));
                }
                return Files.readAllBytes(out);
            } finally {
                p.descendants().forEach(family::add);
                for (ProcessHandle h : family) {
                    h.destroyForcibly();
                }
                p.destroyForcibly();
                p.waitFor();
            }
        }
    }
}
