package io.joblib4j.cli.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

/**
 * Resident memory of processes from {@code /proc} (Linux): the current size and the peak since the peak was last
 * reset. Other systems report -1.
 */
public final class PeakMemory {
    private PeakMemory() {}

    /** Resets the peak resident size of {@code pid} to its current size (writes 5 to clear_refs). */
    public static void resetPeak(long pid) {
        try {
            Files.writeString(Path.of("/proc/" + pid + "/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process is gone
        }
    }

    /** The peak resident size of {@code pid} in bytes (VmHWM), or -1. */
    public static long peak(long pid) {
        return field(pid, "VmHWM:");
    }

    /** The current resident size of {@code pid} in bytes (VmRSS), or -1. */
    public static long current(long pid) {
        return field(pid, "VmRSS:");
    }

    /** The sum of {@link #peak} over processes. */
    public static long peak(Collection<Long> pids) {
        long sum = 0;
        for (long p : pids) {
            sum += Math.max(0, peak(p));
        }
        return sum;
    }

    /** The sum of {@link #current} over processes. */
    public static long current(Collection<Long> pids) {
        long sum = 0;
        for (long p : pids) {
            sum += Math.max(0, current(p));
        }
        return sum;
    }

    private static long field(long pid, String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).trim().split("\\s+", -1);
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone or not Linux
        }
        return -1;
    }

    /**
     * The proportional set size of {@code pid} in bytes (Pss from smaps_rollup: pages shared by n processes count
     * 1/n in each), or -1. Summed over processes it counts shared memory once.
     */
    public static long pss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
                if (line.startsWith("Pss:")) {
                    return Long.parseLong(line.substring(4).trim().split("\\s+", -1)[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone or not Linux
        }
        return -1;
    }

    /** The sum of {@link #pss} over processes. */
    public static long pss(Collection<Long> pids) {
        long sum = 0;
        for (long p : pids) {
            sum += Math.max(0, pss(p));
        }
        return sum;
    }

    /**
     * Samples the summed PSS of a changing set of processes every 5 ms in a daemon thread, keeping the peak, until
     * closed: the peak memory of a parent and its workers together, shared pages counted once.
     */
    public static final class PeakSampler implements AutoCloseable {
        private final java.util.function.Supplier<Collection<Long>> pids;
        private final Thread thread;
        private volatile boolean stop;
        private volatile long peak;
        private final long startNanos = System.nanoTime();
        /** (seconds since start, peak so far in bytes), at most one point per {@value #POINT_MILLIS} ms. */
        private final java.util.List<double[]> points =
                java.util.Collections.synchronizedList(new java.util.ArrayList<>());

        private static final long POINT_MILLIS = 25;

        public PeakSampler(java.util.function.Supplier<Collection<Long>> pids) {
            this.pids = pids;
            this.peak = pss(pids.get());
            point();
            this.thread = new Thread(this::loop, "pss-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        private void point() {
            points.add(new double[] {(System.nanoTime() - startNanos) / 1e9, peak});
        }

        private void loop() {
            long lastPoint = System.nanoTime();
            while (!stop) {
                peak = Math.max(peak, pss(pids.get()));
                if (System.nanoTime() - lastPoint >= POINT_MILLIS * 1_000_000) {
                    point();
                    lastPoint = System.nanoTime();
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** Stops sampling (after one last sample) and returns the peak. */
        public long peak() {
            close();
            return peak;
        }

        @Override
        public void close() {
            if (!stop) {
                stop = true;
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                peak = Math.max(peak, pss(pids.get()));
                point();
            }
        }

        /**
         * The peak so far over {@code baseline}, over time: {@code (seconds since the sampler started, bytes)}, one
         * point every 25 ms or so, for {@link MemoryChart#add}.
         */
        public double[][] peakSoFar(long baseline) {
            synchronized (points) {
                double[][] out = new double[points.size()][];
                for (int i = 0; i < out.length; i++) {
                    double[] p = points.get(i);
                    out[i] = new double[] {p[0], Math.max(0, p[1] - baseline)};
                }
                return out;
            }
        }
    }

    /** {@code 123.4 MB}. */
    public static String mb(long bytes) {
        return bytes < 0 ? "n/a" : String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
