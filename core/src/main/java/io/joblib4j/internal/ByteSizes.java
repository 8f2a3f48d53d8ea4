package io.joblib4j.internal;

import java.util.Locale;

/** Byte counts written the way joblib writes them: {@code "1M"}, {@code "2G"}, {@code "500K"}, {@code "1024"}. */
public final class ByteSizes {
    private ByteSizes() {}

    /**
     * Parses a byte count with an optional K, M, G or T suffix (powers of 1024, as joblib's {@code memstr_to_bytes}).
     *
     * @throws IllegalArgumentException naming the text when it is not such a count or is negative
     */
    public static long parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("a byte count is needed, such as \"500M\" or \"2G\"; got null");
        }
        String t = text.trim().toUpperCase(Locale.ROOT);
        if (t.endsWith("B")) {
            t = t.substring(0, t.length() - 1);
        }
        long unit = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'K' -> unit = 1L << 10;
                case 'M' -> unit = 1L << 20;
                case 'G' -> unit = 1L << 30;
                case 'T' -> unit = 1L << 40;
                default -> unit = 1;
            }
            if (unit != 1) {
                t = t.substring(0, t.length() - 1).trim();
            }
        }
        try {
            double v = Double.parseDouble(t);
            if (v < 0 || Double.isNaN(v) || Double.isInfinite(v)) {
                throw new NumberFormatException();
            }
            return (long) (v * unit);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid byte count \"" + text
                    + "\": expected a number >= 0 with an optional K, M, G or T suffix, such as \"500M\" or \"2G\"");
        }
    }

    /** {@code 1.5 MiB}-style text for tables and messages. */
    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
