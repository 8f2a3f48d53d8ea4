package io.joblib4j.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.internal.process.ChildJvms;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hits on small results are served from the bytes kept after a recent hit, checked against the output file's
 * identity: they stay right when another JVM clears the store or replaces the entry.
 */
class RecentHitTest {
    static final String TAG = "joblib4j.test.recentHitTag";
    static final AtomicInteger CALLS = new AtomicInteger();

    @TempDir
    Path dir;

    /** An impure function on purpose: its result carries a tag read from a system property. */
    static String tagged(int x) {
        CALLS.incrementAndGet();
        return System.getProperty(TAG, "parent") + ":" + x;
    }

    static int[] mutable(int n) {
        return new int[] {n, n + 1};
    }

    @Test
    void repeatedHits_returnEqualButFreshValues() {
        Memory memory = Memory.builder().location(dir).verbose(0).build();
        CachedFunction<Integer, int[]> f = memory.cache(RecentHitTest::mutable);
        int[] first = f.apply(5);
        for (int i = 0; i < 5; i++) {
            int[] hit = f.apply(5);
            assertThat(hit).containsExactly(5, 6).isNotSameAs(first);
            hit[0] = -1; // a caller that changes its result changes nothing in the cache
        }
        assertThat(f.apply(5)).containsExactly(5, 6);
    }

    @Test
    void anotherJvmClearsTheStore_nextCallComputesAgain() throws Exception {
        Memory memory = Memory.builder().location(dir).verbose(0).build();
        CachedFunction<Integer, String> f = memory.cache(RecentHitTest::tagged);
        int before = CALLS.get();
        assertThat(f.apply(1)).isEqualTo("parent:1");
        assertThat(f.apply(1)).isEqualTo("parent:1");
        assertThat(f.apply(1)).isEqualTo("parent:1"); // served from the recent-entry bytes
        assertThat(CALLS.get() - before).isEqualTo(1);
        child("clear");
        assertThat(f.apply(1)).isEqualTo("parent:1");
        assertThat(CALLS.get() - before)
                .as("computed again after the other JVM cleared the store")
                .isEqualTo(2);
    }

    @Test
    void anotherJvmReplacesTheEntry_nextHitReturnsTheNewResult() throws Exception {
        Memory memory = Memory.builder().location(dir).verbose(0).build();
        CachedFunction<Integer, String> f = memory.cache(RecentHitTest::tagged);
        assertThat(f.apply(1)).isEqualTo("parent:1");
        assertThat(f.apply(1)).isEqualTo("parent:1");
        assertThat(f.apply(1)).isEqualTo("parent:1");
        assertThat(child("replace", "child")).contains("child:1");
        int before = CALLS.get();
        assertThat(f.apply(1)).as("the entry the other JVM stored").isEqualTo("child:1");
        assertThat(f.apply(1)).isEqualTo("child:1");
        assertThat(CALLS.get()).isEqualTo(before);
    }

    private String child(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(
                ChildJvms.command(RecentHitChild.class, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        cmd.add(args[0]);
        cmd.add(dir.toString());
        for (int i = 1; i < args.length; i++) {
            cmd.add(args[i]);
        }
        Path log = Files.createTempFile("recent-hit-child", ".log");
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child finished").isTrue();
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).contains("DONE");
            return out;
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(log);
        }
    }
}
