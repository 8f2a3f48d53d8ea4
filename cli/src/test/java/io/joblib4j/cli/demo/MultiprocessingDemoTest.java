package io.joblib4j.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.multiprocessing.JvmProcess;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The demo's multiprocessing examples, small: processes saying hi, the subclass, the session-per-worker pattern. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MultiprocessingDemoTest {
    @Test
    void processesSayHi_eachInItsOwnJvm() throws Exception {
        assertThat(MultiprocessingDemo.tenProcesses(3))
                .hasSize(3)
                .doesNotContain(ProcessHandle.current().pid());
        JvmProcess g = new MultiprocessingDemo.Greeter(7);
        g.start();
        assertThat(g.join(Duration.ofSeconds(60))).isTrue();
        assertThat(g.exitCode()).isZero();
    }

    @Test
    void producerConsumer_loadsTheSessionOncePerWorker() throws Exception {
        MultiprocessingDemo.Sessions s = MultiprocessingDemo.gpuSessions(12);
        assertThat(s.results()).isEqualTo(12);
        assertThat(s.workers()).isBetween(1, 2);
        assertThat(s.loads()).isEqualTo(s.workers());
    }
}
