package io.joblib4j.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * The number of CPUs this process may really use: the smallest of the JVM's count, the affinity mask, the cgroup
 * CPU quota (v2 {@code cpu.max}, v1 {@code cpu.cfs_quota_us / cpu.cfs_period_us}, rounded up) and the
 * {@code JOBLIB4J_CPU_COUNT} environment override; at least 1.
 */
public final class CpuCount {
    /** Environment variable that caps the CPU count (like joblib's {@code LOKY_MAX_CPU_COUNT}). */
    public static final String ENV_OVERRIDE = "JOBLIB4J_CPU_COUNT";

    private static volatile int cached;

    private CpuCount() {}

    /** The usable CPU count, computed once per JVM. */
    public static int get() {
        int n = cached;
        if (n == 0) {
            n = compute(
                    Path.of("/"),
                    System.getenv(ENV_OVERRIDE),
                    Runtime.getRuntime().availableProcessors());
            cached = n;
        }
        return n;
    }

    /** The count for a file-system root (for tests: a folder with {@code proc/} and {@code sys/} files). */
    static int compute(Path root, String override, int jvmCount) {
        int n = Math.max(1, jvmCount);
        n = min(n, affinity(root.resolve("proc/self/status")));
        n = min(n, cgroupQuota(root));
        if (override != null && !override.isBlank()) {
            try {
                int o = Integer.parseInt(override.strip());
                if (o >= 1) {
                    n = Math.min(n, o);
                }
            } catch (NumberFormatException ignored) {
                // An unreadable override is ignored, as joblib does.
            }
        }
        return Math.max(1, n);
    }

    private static int min(int n, OptionalInt other) {
        return other.isPresent() ? Math.min(n, Math.max(1, other.getAsInt())) : n;
    }

    /** The number of CPUs in {@code Cpus_allowed_list} of {@code /proc/self/status}. */
    static OptionalInt affinity(Path status) {
        String text = read(status);
        if (text == null) {
            return OptionalInt.empty();
        }
        int at = text.indexOf("Cpus_allowed_list:");
        if (at < 0) {
            return OptionalInt.empty();
        }
        int end = text.indexOf('\n', at);
        return parseCpuList(text.substring(at + "Cpus_allowed_list:".length(), end < 0 ? text.length() : end)
                .strip());
    }

    /** Counts a CPU list such as {@code 0-3,8,10-11}. */
    static OptionalInt parseCpuList(String list) {
        if (list.isEmpty()) {
            return OptionalInt.empty();
        }
        int count = 0;
        try {
            for (String part : list.split(",", -1)) {
                int dash = part.indexOf('-');
                if (dash < 0) {
                    Integer.parseInt(part.strip());
                    count++;
                } else {
                    count += Integer.parseInt(part.substring(dash + 1).strip())
                            - Integer.parseInt(part.substring(0, dash).strip())
                            + 1;
                }
            }
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
        return count > 0 ? OptionalInt.of(count) : OptionalInt.empty();
    }

    /** {@code ceil(quota / period)} from cgroup v2, else v1; empty when unlimited or unknown. */
    static OptionalInt cgroupQuota(Path root) {
        String v2 = read(root.resolve("sys/fs/cgroup/cpu.max"));
        if (v2 != null) {
            String line = v2.strip();
            int space = line.indexOf(' ');
            if (space > 0 && !line.startsWith("max")) {
                return quota(line.substring(0, space), line.substring(space + 1).strip());
            }
            return OptionalInt.empty();
        }
        String q = read(root.resolve("sys/fs/cgroup/cpu/cpu.cfs_quota_us"));
        String p = read(root.resolve("sys/fs/cgroup/cpu/cpu.cfs_period_us"));
        if (q == null || p == null) {
            return OptionalInt.empty();
        }
        return quota(q.strip(), p.strip());
    }

    private static OptionalInt quota(String quota, String period) {
        try {
            long qv = Long.parseLong(quota);
            long pv = Long.parseLong(period);
            if (qv <= 0 || pv <= 0) {
                return OptionalInt.empty();
            }
            return OptionalInt.of((int) Math.max(1, (qv + pv - 1) / pv));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** The file's text, or null if it cannot be read. Plain java.io: cheap in a JVM that has just started. */
    private static @Nullable String read(Path file) {
        java.io.File f = file.toFile();
        if (!f.canRead()) {
            return null;
        }
        try (java.io.FileInputStream in = new java.io.FileInputStream(f)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
