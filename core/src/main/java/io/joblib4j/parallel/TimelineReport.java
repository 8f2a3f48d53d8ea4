package io.joblib4j.parallel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Writes the timeline of one call as a self-contained HTML page: inline SVG and CSS, no script or resource from
 * the network. One lane per worker (and one for the caller's dispatch work), one bar per batch coloured by its
 * outcome with the batch's details as hover text, and the call's figures in the header.
 */
final class TimelineReport {
    static final String OK = "#4c8ed9";
    static final String FAILED = "#d62728";
    static final String TIMED_OUT = "#ff7f0e";
    static final String RETRIED = "#9467bd";
    static final String LOST = "#8c564b";
    static final String CANCELLED = "#9e9e9e";
    static final String DISPATCH = "#2ca02c";

    /** The lane of the caller's submits (serialization and shared-array writes happen there). */
    static final String CALLER_LANE = "caller (dispatch)";
    /** The lane of batches no worker reported (failed before running, or cancelled while queued or running). */
    static final String UNASSIGNED_LANE = "no worker (not run or cancelled)";

    private static final int LABEL_WIDTH = 230;
    private static final int PLOT_WIDTH = 1000;
    private static final int LANE_HEIGHT = 22;
    private static final int LANE_GAP = 6;
    private static final int AXIS_HEIGHT = 28;

    private TimelineReport() {}

    static String colour(CallListener.BatchOutcome outcome) {
        return switch (outcome) {
            case OK -> OK;
            case FAILED -> FAILED;
            case TIMED_OUT -> TIMED_OUT;
            case RETRIED -> RETRIED;
            case LOST -> LOST;
            case CANCELLED -> CANCELLED;
        };
    }

    /** A batch placed on its lane. */
    private record Bar(CallRecorder.Rec rec, String lane, long start, long end, boolean straggler) {}

    static void write(CallRecorder call, Path file) throws IOException {
        String html = render(call);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path tmp = Files.createTempFile(parent, ".timeline-", ".html.tmp");
        try {
            Files.writeString(tmp, html, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static String render(CallRecorder call) {
        long t0 = call.startNanos;
        long wall = Math.max(1, call.endNanos - t0);
        List<CallRecorder.Rec> recs = new ArrayList<>(call.batches);

        // Per-task time of each batch that ran, and the median, for stragglers.
        double[] perTask = recs.stream()
                .filter(r -> r.durationNanos() > 0)
                .mapToDouble(TimelineReport::perTaskNanos)
                .sorted()
                .toArray();
        double median = perTask.length == 0 ? 0 : perTask[perTask.length / 2];

        // Lanes: the caller's, then workers in order of their first batch, then batches without a worker.
        Map<String, List<Bar>> lanes = new LinkedHashMap<>();
        lanes.put(CALLER_LANE, new ArrayList<>());
        recs.sort(Comparator.comparingLong(r -> r.endedNanos() - r.durationNanos()));
        List<Bar> bars = new ArrayList<>();
        Map<String, Long> laneEnd = new LinkedHashMap<>();
        for (CallRecorder.Rec r : recs) {
            String lane = r.worker() == null ? UNASSIGNED_LANE : r.worker();
            long end = Math.max(t0, r.endedNanos());
            long start;
            if (r.worker() == null) {
                start = Math.max(t0, r.submittedNanos());
            } else if (r.durationNanos() > 0) {
                start = Math.max(t0, end - r.durationNanos());
            } else {
                // Lost or timed out without the worker's own timing: from when the worker could have started it.
                start = Math.max(r.submittedNanos(), laneEnd.getOrDefault(lane, t0));
            }
            start = Math.min(start, end);
            boolean straggler =
                    median > 0 && perTask.length >= 3 && r.durationNanos() > 0 && perTaskNanos(r) > 3 * median;
            Bar bar = new Bar(r, lane, start, end, straggler);
            bars.add(bar);
            laneEnd.merge(lane, end, Math::max);
        }
        for (Bar b : bars) {
            if (!b.lane.equals(UNASSIGNED_LANE)) {
                lanes.computeIfAbsent(b.lane, k -> new ArrayList<>()).add(b);
            }
        }
        for (Bar b : bars) {
            if (b.lane.equals(UNASSIGNED_LANE)) {
                lanes.computeIfAbsent(b.lane, k -> new ArrayList<>()).add(b);
            }
        }

        // Figures.
        long busy = 0;
        long bytesSent = 0;
        long bytesReceived = 0;
        boolean anySent = false;
        boolean anyReceived = false;
        int stragglers = 0;
        Map<CallListener.BatchOutcome, Integer> counts = new java.util.EnumMap<>(CallListener.BatchOutcome.class);
        for (Bar b : bars) {
            busy += b.rec.durationNanos() > 0 ? b.rec.durationNanos() : 0;
            if (b.rec.bytesSent() >= 0) {
                bytesSent += b.rec.bytesSent();
                anySent = true;
            }
            if (b.rec.bytesReceived() >= 0) {
                bytesReceived += b.rec.bytesReceived();
                anyReceived = true;
            }
            stragglers += b.straggler ? 1 : 0;
            counts.merge(b.rec.outcome(), 1, Integer::sum);
        }
        long longestGap = 0;
        String gapLane = null;
        for (Map.Entry<String, List<Bar>> lane : lanes.entrySet()) {
            if (lane.getKey().equals(CALLER_LANE) || lane.getKey().equals(UNASSIGNED_LANE)) {
                continue;
            }
            List<Bar> l = new ArrayList<>(lane.getValue());
            l.sort(Comparator.comparingLong(Bar::start));
            long prevEnd = Long.MIN_VALUE;
            for (Bar b : l) {
                if (prevEnd != Long.MIN_VALUE && b.start - prevEnd > longestGap) {
                    longestGap = b.start - prevEnd;
                    gapLane = lane.getKey();
                }
                prevEnd = Math.max(prevEnd, b.end);
            }
        }
        double utilisation = busy / ((double) call.nJobs() * wall);

        StringBuilder h = new StringBuilder(16_384 + 512 * bars.size());
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>joblib4j timeline: call ")
                .append(call.id())
                .append(" on ")
                .append(esc(call.backend()))
                .append("</title>\n<style>\n")
                .append("body{font:14px system-ui,sans-serif;margin:16px;color:#222;background:#fff}\n")
                .append("h1{font-size:18px;margin:0 0 8px}\n")
                .append("table.figures{border-collapse:collapse;margin:8px 0}\n")
                .append("table.figures td{padding:2px 12px 2px 0}\n")
                .append("table.figures td:first-child{color:#555}\n")
                .append(".legend span{display:inline-block;margin-right:14px}\n")
                .append(".legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}\n")
                .append("svg text{font:12px system-ui,sans-serif}\n")
                .append("rect.batch:hover,rect.dispatch:hover{stroke:#000;stroke-width:1.5}\n")
                .append("rect.straggler{stroke:#000;stroke-width:1.5;stroke-dasharray:3 2}\n")
                .append(".failure{color:")
                .append(FAILED)
                .append(";white-space:pre-wrap}\n")
                .append("</style></head>\n<body>\n");
        h.append("<h1>Parallel call ")
                .append(call.id())
                .append(": ")
                .append(esc(call.displayName()))
                .append(" (")
                .append(esc(call.backend()))
                .append("), ")
                .append(Objects.requireNonNull(call.outcome, "outcome of a finished call")
                        .name()
                        .toLowerCase(Locale.ROOT))
                .append("</h1>\n");
        h.append("<table class=\"figures\" id=\"figures\">\n");
        row(h, "started", Instant.ofEpochMilli(call.startEpochMillis).toString(), "started");
        row(h, "wall time", seconds(wall), "wall");
        row(h, "tasks", call.tasksCompleted() + " completed in " + bars.size() + " batches", "tasks");
        row(h, "backend", call.backend() + " (" + call.displayName() + ")", "backend");
        row(h, "nJobs", Integer.toString(call.nJobs()), "njobs");
        row(
                h,
                "utilisation",
                String.format(
                        Locale.ROOT,
                        "%.1f %% (busy %s / (%d workers × wall))",
                        100 * utilisation,
                        seconds(busy),
                        call.nJobs()),
                "utilisation");
        row(h, "longest idle gap", gapLane == null ? "none" : seconds(longestGap) + " on " + gapLane, "idle-gap");
        row(
                h,
                "dispatch + serialization (caller)",
                String.format(
                        Locale.ROOT,
                        "%s in %d submits (%.1f %% of wall)",
                        seconds(Math.max(0, call.dispatchNanos)),
                        call.dispatchCount,
                        100.0 * Math.max(0, call.dispatchNanos) / wall),
                "dispatch");
        row(
                h,
                "bytes sent / received",
                (anySent ? bytes(bytesSent) : "n/a (in-process)") + " / "
                        + (anyReceived ? bytes(bytesReceived) : "n/a (in-process)"),
                "bytes");
        row(
                h,
                "time per task",
                median == 0
                        ? "n/a"
                        : "median " + seconds((long) median) + "; " + stragglers
                                + " straggler batch(es) over 3× the median (dashed outline)",
                "stragglers");
        StringBuilder outcomes = new StringBuilder();
        for (Map.Entry<CallListener.BatchOutcome, Integer> e : counts.entrySet()) {
            if (outcomes.length() > 0) {
                outcomes.append(", ");
            }
            outcomes.append(e.getValue()).append(' ').append(e.getKey().name().toLowerCase(Locale.ROOT));
        }
        row(h, "batches", outcomes.toString(), "outcomes");
        h.append("</table>\n");
        if (call.failureText != null) {
            h.append("<p class=\"failure\" id=\"failure\">")
                    .append(esc(call.failureText))
                    .append("</p>\n");
        }
        h.append("<div class=\"legend\">");
        legend(h, OK, "ok");
        legend(h, FAILED, "failed");
        legend(h, TIMED_OUT, "timed out");
        legend(h, RETRIED, "retried");
        legend(h, LOST, "worker lost");
        legend(h, CANCELLED, "cancelled");
        legend(h, DISPATCH, "dispatch");
        h.append("</div>\n");

        int height = AXIS_HEIGHT + lanes.size() * (LANE_HEIGHT + LANE_GAP) + 10;
        int width = LABEL_WIDTH + PLOT_WIDTH + 20;
        h.append("<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(width)
                .append("\" height=\"")
                .append(height)
                .append("\" viewBox=\"0 0 ")
                .append(width)
                .append(' ')
                .append(height)
                .append("\">\n");
        // time axis
        double step = niceStep(wall / 1e9 / 8);
        for (int i = 0; i * step <= wall / 1e9 + 1e-12; i++) {
            double x = LABEL_WIDTH + i * step * 1e9 / wall * PLOT_WIDTH;
            h.append("<line x1=\"")
                    .append(fmt(x))
                    .append("\" x2=\"")
                    .append(fmt(x))
                    .append("\" y1=\"18\" y2=\"")
                    .append(height - 6)
                    .append("\" stroke=\"#e4e4e4\"/>")
                    .append("<text x=\"")
                    .append(fmt(x))
                    .append("\" y=\"12\" text-anchor=\"middle\">")
                    .append(esc(seconds((long) (i * step * 1e9))))
                    .append("</text>\n");
        }
        int laneIndex = 0;
        for (Map.Entry<String, List<Bar>> lane : lanes.entrySet()) {
            int y = AXIS_HEIGHT + laneIndex * (LANE_HEIGHT + LANE_GAP);
            String name = lane.getKey();
            h.append("<g class=\"lane\" data-lane=\"")
                    .append(esc(name))
                    .append("\" data-lane-index=\"")
                    .append(laneIndex)
                    .append("\">\n<text x=\"4\" y=\"")
                    .append(y + 15)
                    .append("\">")
                    .append(esc(name))
                    .append("</text><rect x=\"")
                    .append(LABEL_WIDTH)
                    .append("\" y=\"")
                    .append(y)
                    .append("\" width=\"")
                    .append(PLOT_WIDTH)
                    .append("\" height=\"")
                    .append(LANE_HEIGHT)
                    .append("\" fill=\"#f6f6f6\"/>\n");
            if (name.equals(CALLER_LANE)) {
                dispatchBars(h, call, t0, wall, y);
            }
            for (Bar b : lane.getValue()) {
                bar(h, b, t0, wall, y, name);
            }
            h.append("</g>\n");
            laneIndex++;
        }
        h.append("</svg>\n<p style=\"color:#666\">Bars: a batch from its start to its end on the worker (the worker's")
                .append(" own timing of its tasks, ending when its result reached the caller). Hover a bar for its")
                .append(" tasks, duration and bytes. Green: the caller handing batches to the backend (serializing")
                .append(" tasks and writing shared arrays for worker processes).</p>\n</body></html>\n");
        return h.toString();
    }

    private static double perTaskNanos(CallRecorder.Rec r) {
        int ran = r.tasksCompleted() + (r.outcome() == CallListener.BatchOutcome.OK ? 0 : 1);
        return r.durationNanos() / (double) Math.max(1, Math.min(ran, r.tasks()));
    }

    private static void dispatchBars(StringBuilder h, CallRecorder call, long t0, long wall, int y) {
        long[] d = call.dispatches;
        // Merge submits closer than half a pixel, so a call of many tiny batches stays a light page.
        double minGap = wall / (double) PLOT_WIDTH / 2;
        long curStart = -1;
        long curEnd = -1;
        int merged = 0;
        for (int i = 0; i < call.dispatchCount && 2 * i + 1 < d.length; i++) {
            long s = d[2 * i];
            long e = d[2 * i + 1];
            if (curStart >= 0 && s - curEnd <= minGap) {
                curEnd = Math.max(curEnd, e);
                merged++;
                continue;
            }
            if (curStart >= 0) {
                dispatchBar(h, t0, wall, y, curStart, curEnd, merged);
            }
            curStart = s;
            curEnd = e;
            merged = 1;
        }
        if (curStart >= 0) {
            dispatchBar(h, t0, wall, y, curStart, curEnd, merged);
        }
    }

    private static void dispatchBar(StringBuilder h, long t0, long wall, int y, long s, long e, int submits) {
        double x = LABEL_WIDTH + (s - t0) / (double) wall * PLOT_WIDTH;
        double w = Math.max(0.5, (e - s) / (double) wall * PLOT_WIDTH);
        h.append("<rect class=\"dispatch\" x=\"")
                .append(fmt(x))
                .append("\" y=\"")
                .append(y + 4)
                .append("\" width=\"")
                .append(fmt(w))
                .append("\" height=\"")
                .append(LANE_HEIGHT - 8)
                .append("\" fill=\"")
                .append(DISPATCH)
                .append("\"><title>")
                .append(submits)
                .append(submits == 1 ? " submit" : " submits")
                .append(", ")
                .append(esc(seconds(e - s)))
                .append(" at ")
                .append(esc(seconds(s - t0)))
                .append("</title></rect>\n");
        if (w >= DISPATCH_LABEL_MIN_WIDTH) {
            // A long hand-out (the sharing step of a large array, say) says what it is without hovering.
            String label = "dispatch " + seconds(e - s)
                    + (w >= DISPATCH_LABEL_LONG_WIDTH ? ": serializing tasks, writing shared arrays" : "");
            h.append("<text class=\"dispatch-label\" x=\"")
                    .append(fmt(x + 4))
                    .append("\" y=\"")
                    .append(y + LANE_HEIGHT / 2 + 4)
                    .append("\" fill=\"#fff\" font-size=\"11\" pointer-events=\"none\">")
                    .append(esc(label))
                    .append("</text>\n");
        }
    }

    /** Dispatch bars at least this wide (px) are labelled with their time, and the longer ones with what it is. */
    static final double DISPATCH_LABEL_MIN_WIDTH = 90;

    static final double DISPATCH_LABEL_LONG_WIDTH = 250;

    private static void bar(StringBuilder h, Bar b, long t0, long wall, int y, String lane) {
        CallRecorder.Rec r = b.rec;
        double x = LABEL_WIDTH + (b.start - t0) / (double) wall * PLOT_WIDTH;
        double w = Math.max(1.0, (b.end - b.start) / (double) wall * PLOT_WIDTH);
        x = Math.min(x, LABEL_WIDTH + PLOT_WIDTH - w);
        String outcome = r.outcome().name().toLowerCase(Locale.ROOT);
        h.append("<rect class=\"batch outcome-")
                .append(outcome)
                .append(b.straggler ? " straggler" : "")
                .append("\" data-lane=\"")
                .append(esc(lane))
                .append("\" data-first=\"")
                .append(r.firstIndex())
                .append("\" data-tasks=\"")
                .append(r.tasks())
                .append("\" data-outcome=\"")
                .append(outcome)
                .append("\" data-straggler=\"")
                .append(b.straggler)
                .append("\" x=\"")
                .append(fmt(x))
                .append("\" y=\"")
                .append(y + 1)
                .append("\" width=\"")
                .append(fmt(w))
                .append("\" height=\"")
                .append(LANE_HEIGHT - 2)
                .append("\" fill=\"")
                .append(colour(r.outcome()))
                .append("\"><title>");
        StringBuilder t = new StringBuilder();
        t.append("tasks ")
                .append(r.firstIndex())
                .append(r.tasks() > 1 ? ".." + (r.firstIndex() + r.tasks() - 1) : "")
                .append(" (")
                .append(r.tasks())
                .append(r.tasks() == 1 ? " task" : " tasks")
                .append("): ")
                .append(outcome)
                .append(b.straggler ? ", straggler" : "")
                .append("\nworker: ")
                .append(r.worker() == null ? "none" : r.worker())
                .append("\nran ")
                .append(seconds(r.durationNanos()))
                .append(
                        r.tasks() > 1 && r.durationNanos() > 0
                                ? " (" + seconds((long) perTaskNanos(r)) + " per task)"
                                : "")
                .append(", from ")
                .append(seconds(b.start - t0))
                .append(" to ")
                .append(seconds(b.end - t0))
                .append("\nsubmitted at ")
                .append(seconds(Math.max(0, r.submittedNanos() - t0)));
        if (r.bytesSent() >= 0 || r.bytesReceived() >= 0) {
            t.append("\nbytes sent ")
                    .append(r.bytesSent() >= 0 ? bytes(r.bytesSent()) : "?")
                    .append(", received ")
                    .append(r.bytesReceived() >= 0 ? bytes(r.bytesReceived()) : "?");
        }
        if (r.descriptions() != null) {
            for (String d : r.descriptions()) {
                t.append('\n').append(d);
            }
            if (r.tasks() > r.descriptions().length) {
                t.append("\n... ").append(r.tasks() - r.descriptions().length).append(" more");
            }
        }
        if (r.failure() != null) {
            String f = r.failure();
            t.append("\nfailure: ").append(f.length() > 300 ? f.substring(0, 297) + "..." : f);
        }
        h.append(esc(t.toString())).append("</title></rect>\n");
    }

    private static void row(StringBuilder h, String name, String value, String id) {
        h.append("<tr id=\"fig-")
                .append(id)
                .append("\"><td>")
                .append(esc(name))
                .append("</td><td>")
                .append(esc(value))
                .append("</td></tr>\n");
    }

    private static void legend(StringBuilder h, String colour, String label) {
        h.append("<span><i style=\"background:")
                .append(colour)
                .append("\"></i>")
                .append(esc(label))
                .append("</span>");
    }

    static String seconds(long nanos) {
        double s = nanos / 1e9;
        if (nanos == 0) {
            return "0 s";
        }
        if (s >= 100) {
            return String.format(Locale.ROOT, "%.0f s", s);
        }
        if (s >= 1) {
            return String.format(Locale.ROOT, "%.2f s", s);
        }
        if (s >= 1e-3) {
            return String.format(Locale.ROOT, "%.3g ms", s * 1e3);
        }
        return String.format(Locale.ROOT, "%.3g µs", s * 1e6);
    }

    private static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static double niceStep(double raw) {
        if (raw <= 0) {
            return 1e-6;
        }
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= raw) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
