package io.joblib4j.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StepTest {
    @Test
    void run_longStep_announcesItself_saysItIsStillRunning_andHowLongItTook() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        CountDownLatch ticked = new CountDownLatch(1);
        PrintStream out = new PrintStream(
                new OutputStream() {
                    @Override
                    public synchronized void write(int b) {
                        buf.write(b);
                        if (buf.toString(StandardCharsets.UTF_8).contains("so far")) {
                            ticked.countDown();
                        }
                    }
                },
                true,
                StandardCharsets.UTF_8);
        Step.Timed<String> t = Step.run(out, "10 x sleep(1 s), sequential", "about 10 s", () -> {
            assertThat(ticked.await(60, TimeUnit.SECONDS))
                    .as("a line while the step runs")
                    .isTrue();
            return "done";
        });
        assertThat(t.value()).isEqualTo("done");
        String printed = buf.toString(StandardCharsets.UTF_8);
        assertThat(printed)
                .startsWith("  > 10 x sleep(1 s), sequential (about 10 s) ...\n")
                .contains("    ... 10 x sleep(1 s), sequential: ")
                .containsPattern("    done in \\d+\\.\\d{3} s\n$");
        assertThat(t.time()).isGreaterThanOrEqualTo(Step.TICK);
    }
}
