package io.joblib4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./joblib4j}: the command line of joblib4j. */
@Command(
        name = "joblib4j",
        mixinStandardHelpOptions = true,
        version = "joblib4j 0.1.0",
        description = "Parallel computing, disk caching and fast persistence for the JVM.",
        subcommands = {
            DemoCommand.class,
            BenchCommand.class,
            CacheCommand.class,
            InspectCommand.class,
            WorkerCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line, set up as {@code main} runs it: an unknown command is an error (exit code 2) even when
     * {@code --help} follows it, instead of picocli printing the top-level help for {@code nosuch --help}.
     */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        CommandLine.IExecutionStrategy runLast = new CommandLine.RunLast();
        cl.setExecutionStrategy(parseResult -> {
            CommandLine.ParseResult last = parseResult;
            while (last.hasSubcommand()) {
                last = last.subcommand();
            }
            if (!last.unmatched().isEmpty()) {
                throw new CommandLine.UnmatchedArgumentException(
                        last.commandSpec().commandLine(), last.unmatched());
            }
            return runLast.execute(parseResult);
        });
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
