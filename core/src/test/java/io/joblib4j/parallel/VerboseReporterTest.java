package io.joblib4j.parallel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class VerboseReporterTest {

    @Test
    void shortFormatTime_secondsAndMinutes_likeJoblib() {
        assertThat(VerboseReporter.shortFormatTime(1.4)).isEqualTo("   1.4s");
        assertThat(VerboseReporter.shortFormatTime(0.04)).isEqualTo("   0.0s");
        assertThat(VerboseReporter.shortFormatTime(59.96)).isEqualTo("  60.0s");
        assertThat(VerboseReporter.shortFormatTime(90)).isEqualTo(" 1.5min");
    }

    @Test
    void progressLine_unknownTotal_countsTasks() {
        assertThat(VerboseReporter.progressLine(11, 14, 14, 20, false, 4, 1.4))
                .isEqualTo("Done  14 tasks      | elapsed:    1.4s");
    }

    @Test
    void progressLine_knownTotal_showsRemaining() {
        // total 4, 2 done, pre-dispatch 4: cursor = 4-2+1-4 = -1, frequency = 4//10+1 = 1 -> printed
        assertThat(VerboseReporter.progressLine(10, 2, 4, 4, true, 4, 0.9))
                .isEqualTo("Done 2 out of 4 | elapsed:    0.9s remaining:    0.9s");
        assertThat(VerboseReporter.progressLine(10, 20, 40, 400, true, 4, 2.0))
                .isNull(); // cursor = 400-20+1-4 = 377, frequency = 41: 377 % 41 != 0
    }

    @Test
    void progressLine_lastItem_isSilent() {
        assertThat(VerboseReporter.progressLine(10, 39, 40, 40, true, 4, 1.0)).isNull();
    }

    @Test
    void finishedLine_likeJoblib() {
        assertThat(VerboseReporter.finishedLine(40, 1.5)).isEqualTo("Done  40 out of  40 | elapsed:    1.5s finished");
    }

    @Test
    void verbosityFilter_aboveTen_printsEverything_belowIsSqrtRateLimited() {
        for (int i = 0; i < 50; i++) {
            assertThat(VerboseReporter.verbosityFilter(i, 11)).isFalse();
        }
        assertThat(VerboseReporter.verbosityFilter(0, 5)).isFalse();
        // verbose 5: v = 0.5*36 = 18: prints when int(sqrt((i+1)/18)) changes: i = 17, 71, 161
        int printed = 0;
        for (int i = 1; i < 200; i++) {
            if (!VerboseReporter.verbosityFilter(i, 5)) {
                printed++;
                assertThat(i).isIn(17, 71, 161);
            }
        }
        assertThat(printed).isEqualTo(3);
    }

    @Test
    void reporter_levelBelow50ToStderr_from50ToStdout() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new VerboseReporter(5, "2", new PrintStream(err), new PrintStream(out)).start("ThreadingBackend", 2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("[Parallel(n_jobs=2)]: Using backend ThreadingBackend with 2 concurrent workers.\n");
        new VerboseReporter(50, "2", new PrintStream(err), new PrintStream(out)).start("ThreadingBackend", 2);
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("[Parallel(n_jobs=2)]: Using backend");
        ByteArrayOutputStream quiet = new ByteArrayOutputStream();
        new VerboseReporter(0, "2", new PrintStream(quiet), new PrintStream(quiet)).start("ThreadingBackend", 2);
        assertThat(quiet.size()).isZero();
    }
}
