package io.joblib4j.parallel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressLabelTest {
    private static String barOutput(Parallel.Builder builder) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setProperty("joblib4j.progressBar.force", "true");
        try (Parallel p = builder.nJobs(2).progressBar(true).build()) {
            assertThat(p.map(x -> x * 2, List.of(1, 2, 3))).containsExactly(2, 4, 6);
        } finally {
            System.clearProperty("joblib4j.progressBar.force");
            System.setErr(saved);
        }
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void progressLabel_namesTheBar() {
        assertThat(barOutput(Parallel.builder().progressLabel("10 x sleep(1 s), threads")))
                .contains("10 x sleep(1 s), threads")
                .contains("3/3");
        assertThat(barOutput(Parallel.builder())).contains("Parallel");
    }

    @Test
    void progressLabel_blank_isRejectedWithTheValue() {
        assertThatThrownBy(() -> Parallel.builder().progressLabel(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\" \"");
    }
}
