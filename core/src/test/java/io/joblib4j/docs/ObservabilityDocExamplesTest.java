package io.joblib4j.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.parallel.CallListener;
import io.joblib4j.parallel.Parallel;
import io.joblib4j.parallel.ParallelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples of docs/observability.md, run as tests. */
class ObservabilityDocExamplesTest {
    @TempDir
    Path dir;

    static double work(int i) {
        return Math.sqrt(i);
    }

    @Test
    void readme_timeline() throws Exception {
        // region readme-timeline
        Path report = Files.createTempFile("timeline-", ".html");
        try (Parallel parallel = Parallel.builder().nJobs(2).timeline(report).build()) {
            parallel.map(x -> Math.sqrt(x), IntStream.range(0, 100_000).boxed().toList());
        }
        System.out.println("open " + report.toUri()); // a lane per worker, a bar per batch, no network needed
        // endregion
        try {
            assertThat(Files.readString(report)).contains("<svg", "outcome-ok");
        } finally {
            Files.delete(report);
        }
    }

    @Test
    void timeline() throws Exception {
        Path report = dir.resolve("timeline.html");
        // region timeline
        try (Parallel parallel = Parallel.builder().nJobs(2).timeline(report).build()) {
            parallel.map(
                    ObservabilityDocExamplesTest::work,
                    IntStream.range(0, 1_000).boxed().toList());
        }
        // report: a self-contained HTML page, one lane per worker and one bar per batch
        // endregion
        assertThat(Files.readString(report)).contains("<svg", "class=\"batch outcome-ok");

        Path scoped = dir.resolve("scoped.html");
        // region timeline-config
        try (var _ = ParallelConfig.builder().timeline(scoped).open()) {
            Parallel.of(2).map(ObservabilityDocExamplesTest::work, List.of(1, 2, 3)); // writes scoped
        }
        // endregion
        assertThat(scoped).exists();
    }

    @Test
    void jfr() throws Exception {
        Path file = dir.resolve("run.jfr");
        // region jfr
        try (Recording recording = new Recording()) {
            recording.enable("io.joblib4j.Call");
            recording.enable("io.joblib4j.Batch").withThreshold(Duration.ZERO);
            recording.start();
            Parallel.of(2).map(ObservabilityDocExamplesTest::work, List.of(1, 2, 3, 4));
            recording.stop();
            recording.dump(file);
        }
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            System.out.println(
                    e.getEventType().getName() + " " + e.getString("backend") + " " + e.getString("outcome"));
        }
        // endregion
        assertThat(RecordingFile.readAllEvents(file))
                .anyMatch(e -> e.getEventType().getName().equals("io.joblib4j.Call"));
    }

    @Test
    void listener() {
        // region listener
        AtomicLong tasks = new AtomicLong();
        try (CallListener.Registration _ = CallListener.register(new CallListener() {
            @Override
            public void batchEnded(Call call, BatchRecord batch) {
                tasks.addAndGet(batch.tasksCompleted());
            }
        })) {
            Parallel.of(2)
                    .map(
                            ObservabilityDocExamplesTest::work,
                            IntStream.range(0, 100).boxed().toList());
        }
        // tasks.get() == 100
        // endregion
        assertThat(tasks.get()).isEqualTo(100);
    }
}
