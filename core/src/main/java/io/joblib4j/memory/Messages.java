package io.joblib4j.memory;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Memory's messages, in joblib's format, on standard error (looked up at each message, so redirection works). */
final class Messages {
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private Messages() {}

    static void print(String message) {
        PrintStream err = System.err;
        err.println(message);
    }

    static void warn(String message) {
        print(message);
    }

    /** Prints {@code message} only the first time {@code key} is seen in this JVM. */
    static void warnOnce(String key, String message) {
        if (WARNED.add(key)) {
            print(message);
        }
    }

    /** joblib's trailer line: the message right-aligned on a rule of 80 underscores. */
    static void rule(String message) {
        print("_".repeat(Math.max(0, 80 - message.length())) + message);
    }

    /** joblib's {@code format_time}: {@code 1.0s, 0.0min}. */
    static String formatTime(double seconds) {
        return String.format(Locale.ROOT, "%.1fs, %.1fmin", seconds, seconds / 60);
    }
}
