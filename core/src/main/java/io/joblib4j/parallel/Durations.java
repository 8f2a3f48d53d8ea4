package io.joblib4j.parallel;

import java.time.Duration;
import java.util.Locale;

/** Duration formatting shared by messages. */
final class Durations {
    private Durations() {}

    /** {@code 1.5s}, {@code 250ms}, {@code 2.0min}. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        double s = ms / 1000.0;
        return s < 60 ? String.format(Locale.ROOT, "%.1fs", s) : String.format(Locale.ROOT, "%.1fmin", s / 60);
    }
}
