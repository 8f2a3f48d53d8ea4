package io.joblib4j.cli.demo;

import io.joblib4j.parallel.ParallelConfig;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code ./joblib4j demo --timeline DIR}: each step of the demo writes the timeline report of its Parallel call (the
 * last one, for a step that makes several) to {@code DIR/<section>-<step>.html}.
 */
public final class Timelines {
    private static volatile Path dir;
    private static volatile String section = "demo";

    private Timelines() {}

    /** Reports go to {@code folder} from now on (null: none are written). */
    public static void into(Path folder) {
        dir = folder;
    }

    /** The section whose steps run next. */
    static void section(String title) {
        section = slug(title);
    }

    /** A scope that sends the step's calls' timeline to its file, or null when no folder was given. */
    static ParallelConfig.Scope open(String label) {
        Path d = dir;
        if (d == null) {
            return null;
        }
        return ParallelConfig.builder()
                .timeline(d.resolve(section + "-" + slug(label) + ".html"))
                .open();
    }

    static String slug(String text) {
        String s = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
        return s.length() > 80 ? s.substring(0, 80) : s;
    }
}
