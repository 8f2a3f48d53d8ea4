package io.joblib4j.bench.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

/**
 * Resident memory of processes from {@code /proc} (Linux): the current size and the peak since the peak was last
 * reset. Other systems report -1.
 */
public final class Memory {
    private Memory() {}

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
                    String[] parts = line.substring(name.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone or not Linux
        }
        return -1;
    }

    /** {@code 123.4 MB}. */
    public static String mb(long bytes) {
        return bytes < 0 ? "n/a" : String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
