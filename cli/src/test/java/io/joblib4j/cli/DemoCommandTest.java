package io.joblib4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {
    @Test
    void only_unknownSection_exits2_listingTheValidOnes() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute("demo", "--only", "nosuch");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString())
                .contains("unknown demo section \"nosuch\"")
                .contains("[parallel, memory, persistence, processes, multiprocessing, cluster]");
        assertThat(out.toString()).doesNotContain("section  example");
    }
}
