package io.joblib4j.parallel;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.memory.CachedFunction;
import io.joblib4j.memory.Memory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** joblib4j's flight recorder events, from a recording started in the test and read back from its file. */
class JfrEventsTest {
    @TempDir
    Path tmp;

    static int square(int x) {
        return x * x;
    }

    @Test
    void recording_seesCallBatchesAndCacheHitAndMiss() throws Exception {
        Path file = tmp.resolve("run.jfr");
        Memory memory =
                Memory.builder().location(tmp.resolve("cache")).verbose(0).build();
        CachedFunction<Integer, Integer> cached = memory.cache("square", JfrEventsTest::square);
        try (Recording r = new Recording()) {
            for (String name :
                    List.of("io.joblib4j.Call", "io.joblib4j.Batch", "io.joblib4j.CacheHit", "io.joblib4j.CacheMiss")) {
                r.enable(name).withThreshold(Duration.ZERO);
            }
            r.start();
            List<Integer> out = Parallel.builder()
                    .nJobs(2)
                    .batchSize(5)
                    .build()
                    .map(JfrEventsTest::square, IntStream.range(0, 20).boxed().toList());
            assertThat(out).hasSize(20);
            assertThat(cached.apply(7)).isEqualTo(49); // miss
            assertThat(cached.apply(7)).isEqualTo(49); // hit
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        List<RecordedEvent> calls = ofType(events, "io.joblib4j.Call");
        List<RecordedEvent> batches = ofType(events, "io.joblib4j.Batch");
        assertThat(calls).hasSize(1);
        RecordedEvent call = calls.getFirst();
        assertThat(call.getString("backend")).isEqualTo("threads");
        assertThat(call.getInt("nJobs")).isEqualTo(2);
        assertThat(call.getLong("tasks")).isEqualTo(20);
        assertThat(call.getString("outcome")).isEqualTo("ok");
        assertThat(batches).hasSize(4);
        long tasks = 0;
        for (RecordedEvent b : batches) {
            assertThat(b.getLong("callId")).isEqualTo(call.getLong("callId"));
            assertThat(b.getString("worker")).startsWith("joblib4j-threads-");
            assertThat(b.getString("outcome")).isEqualTo("ok");
            assertThat(b.getLong("taskTime")).isPositive();
            tasks += b.getInt("tasks");
        }
        assertThat(tasks).isEqualTo(20);
        assertThat(batches.stream().map(b -> b.getLong("firstIndex")).sorted().toList())
                .containsExactly(0L, 5L, 10L, 15L);

        List<RecordedEvent> misses = ofType(events, "io.joblib4j.CacheMiss");
        List<RecordedEvent> hits = ofType(events, "io.joblib4j.CacheHit");
        assertThat(misses).hasSize(1);
        assertThat(hits).hasSize(1);
        assertThat(misses.getFirst().getString("function")).contains("square");
        assertThat(hits.getFirst().getString("key")).isEqualTo(misses.getFirst().getString("key"));
        assertThat(hits.getFirst().getLong("bytes")).isPositive();
        assertThat(misses.getFirst().getLong("bytes")).isPositive();
    }

    @Test
    void recording_seesCacheEventsOfCallAndShelveAndForcedCall() throws Exception {
        Path file = tmp.resolve("shelve.jfr");
        Memory memory =
                Memory.builder().location(tmp.resolve("cache")).verbose(0).build();
        CachedFunction<Integer, Integer> cached = memory.cache("square", JfrEventsTest::square);
        try (Recording r = new Recording()) {
            r.enable("io.joblib4j.CacheHit").withThreshold(Duration.ZERO);
            r.enable("io.joblib4j.CacheMiss").withThreshold(Duration.ZERO);
            r.start();
            assertThat(cached.callAndShelve(3).get()).isEqualTo(9); // miss: computed and stored
            assertThat(cached.callAndShelve(3).get()).isEqualTo(9); // hit: found, loaded by get()
            assertThat(cached.call(3).output()).isEqualTo(9); // forced: computed again, a miss
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        List<RecordedEvent> misses = ofType(events, "io.joblib4j.CacheMiss");
        List<RecordedEvent> hits = ofType(events, "io.joblib4j.CacheHit");
        assertThat(misses).hasSize(2);
        assertThat(hits).hasSize(1);
        String key = hits.getFirst().getString("key");
        assertThat(misses).allSatisfy(m -> {
            assertThat(m.getString("key")).isEqualTo(key);
            assertThat(m.getString("function")).contains("square");
            assertThat(m.getLong("bytes")).isPositive();
        });
        assertThat(hits.getFirst().getLong("bytes")).isPositive();
    }

    @Test
    void noRecording_noListener_noTimeline_recordsNothing() {
        Parallel.Resolved settings = Parallel.of(2).resolve();
        assertThat(settings.timeline()).isNull();
        assertThat(CallRecorder.open(settings)).isNull();
    }

    private static List<RecordedEvent> ofType(List<RecordedEvent> events, String name) {
        return events.stream()
                .filter(e -> e.getEventType().getName().equals(name))
                .toList();
    }
}
