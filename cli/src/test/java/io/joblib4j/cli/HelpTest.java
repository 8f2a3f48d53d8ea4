package io.joblib4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class HelpTest {
    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Every command and subcommand, as the words that reach it: [cache, ls], [demo], ... */
    private static List<List<String>> commands(CommandLine cl, List<String> path) {
        List<List<String>> all = new ArrayList<>();
        cl.getSubcommands().forEach((name, sub) -> {
            List<String> p = new ArrayList<>(path);
            p.add(name);
            all.add(p);
            all.addAll(commands(sub, p));
        });
        return all;
    }

    @Test
    void help_withoutCommand_printsTheTopLevelUsage() {
        Run r = run("help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("Usage: joblib4j").contains("demo", "bench", "cache", "inspect", "help");
    }

    @Test
    void everyCommand_hasItsOwnHelp_throughDashDashHelpAndHelpCommand() {
        List<List<String>> commands = commands(Main.commandLine(), List.of());
        assertThat(commands).contains(List.of("cache", "clear"), List.of("bench"), List.of("demo"));
        for (List<String> c : commands) {
            if (c.equals(List.of("help"))) {
                continue;
            }
            List<String> args = new ArrayList<>(c);
            args.add("--help");
            Run r = run(args.toArray(String[]::new));
            assertThat(r.code()).as(String.join(" ", args)).isZero();
            assertThat(r.out()).as(String.join(" ", args)).startsWith("Usage: joblib4j " + String.join(" ", c));
            if (c.size() == 1) {
                Run h = run("help", c.get(0));
                assertThat(h.code()).isZero();
                assertThat(h.out()).startsWith("Usage: joblib4j " + c.get(0));
            }
        }
    }

    @Test
    void unknownCommand_withHelp_isAnError_notTheTopLevelHelp() {
        Run r = run("nosuch", "--help");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("'nosuch'");
        assertThat(r.out()).doesNotContain("Usage: joblib4j [-hV]");
    }

    @Test
    void benchHelp_describesEverySuite() {
        Run r = run("bench", "--help");
        for (String suite : BenchCommand.SUITES.keySet()) {
            assertThat(r.out()).as(suite).containsPattern("(?m)^ +" + suite + "\\b");
        }
        assertThat(r.out()).contains("worker-JVM backend");
    }
}
