package io.joblib4j.cli.demo;

/** One group of the documents' examples that {@code ./joblib4j demo} runs and times. */
public interface DemoSection {
    /** A short title, such as {@code Parallel}. */
    String title();

    /** Runs the examples, printing what they print, and adds one row per timed variant to {@code report}. */
    void run(DemoReport report) throws Exception;
}
