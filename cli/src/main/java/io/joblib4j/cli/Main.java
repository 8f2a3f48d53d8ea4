package io.joblib4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./joblib4j}: the command line of joblib4j. */
@Command(name = "joblib4j", mixinStandardHelpOptions = true, version = "joblib4j 0.1.0",
        description = "Parallel computing, disk caching and fast persistence for the JVM.",
        subcommands = {DemoCommand.class, BenchCommand.class, CacheCommand.class, InspectCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
