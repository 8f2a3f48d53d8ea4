package io.joblib4j.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.joblib4j.internal.process.ChildJvms;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Concurrency, crashes, corruption and failing stores, with real files and real JVM processes. */
class ReliabilityTest {
    static final AtomicInteger CALLS = new AtomicInteger();

    @TempDir
    Path dir;

    static int[] counted(int n) {
        CALLS.incrementAndGet();
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return v;
    }

    @BeforeEach
    void reset() {
        CALLS.set(0);
    }

    private Path onlyOutput(Path location, String functionId) throws IOException {
        try (Stream<Path> s = Files.list(location.resolve("joblib4j").resolve(functionId))) {
            return s.filter(Files::isDirectory).findFirst().orElseThrow().resolve("output");
        }
    }

    @Test
    void corruptOutput_truncated_reportedOnceAndRecomputed() throws IOException {
        Memory memory = Memory.builder().location(dir).verbose(0).build();
        CachedFunction<Integer, int[]> f = memory.cache(ReliabilityTest::counted);
        f.apply(10_000);
        Path out = onlyOutput(dir, f.functionId());
        byte[] bytes = Files.readAllBytes(out);
        Files.write(out, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        String err = MemoryTest.captureErr(() -> {
            assertThat(f.apply(10_000)).hasSize(10_000).endsWith(9_999);
            assertThat(f.apply(10_000)).hasSize(10_000);
        });
        assertThat(CALLS.get()).isEqualTo(2);
        assertThat(err)
                .containsOnlyOnce("Cannot load the cached result of counted(10000)")
                .contains(out.toString())
                .contains("corrupt");
    }

    @Test
    void corruptOutput_garbage_reportedOnceAndRecomputed() throws IOException {
        Memory memory = Memory.builder().location(dir).verbose(0).build();
        CachedFunction<Integer, int[]> f = memory.cache(ReliabilityTest::counted);
        f.apply(100);
        Path out = onlyOutput(dir, f.functionId());
        byte[] garbage = new byte[4096];
        new Random(42).nextBytes(garbage);
        Files.write(out, garbage);
        String err = MemoryTest.captureErr(() -> assertThat(f.apply(100)).hasSize(100));
        assertThat(CALLS.get()).isEqualTo(2);
        assertThat(err).containsOnlyOnce("Cannot load");
    }

    @Test
    void cachedResultGet_onCorruptEntry_raisesClearError() throws IOException {
        Memory memory = Memory.builder().location(dir).verbose(0).build();
        CachedFunction<Integer, int[]> f = memory.cache(ReliabilityTest::counted);
        CachedResult<int[]> r = f.callAndShelve(1000);
        Path out = onlyOutput(dir, f.functionId());
        Files.write(out, "not a result".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(r::get)
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("counted(1000)")
                .hasMessageContaining(out.toString())
                .hasMessageContaining("corrupt");
    }

    /** A store whose disk is full: every put fails. */
    static final class FullDiskStore extends ForwardingStore {
        FullDiskStore(Path location) {
            super(location);
        }

        @Override
        public long put(String f, String k, OutputWriter w, Duration d, Map<String, String> a) throws IOException {
            throw new IOException("No space left on device");
        }
    }

    @Test
    void failingStore_diskFull_returnsResultAndSaysWhy() {
        Memory memory =
                Memory.builder().store(new FullDiskStore(dir)).verbose(0).build();
        CachedFunction<Integer, int[]> f = memory.cache(ReliabilityTest::counted);
        String err = MemoryTest.captureErr(() -> {
            assertThat(f.apply(5)).containsExactly(0, 1, 2, 3, 4);
            assertThat(f.callAndShelve(5).get()).containsExactly(0, 1, 2, 3, 4);
        });
        assertThat(err).contains("Could not cache the result of counted(5)").contains("No space left on device");
        assertThat(f.isCached(5)).isFalse();
    }

    @Test
    void failingStore_locationUnderRegularFile_returnsResultAndSaysWhy() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
        Memory memory =
                Memory.builder().location(file.resolve("cache")).verbose(0).build();
        CachedFunction<Integer, int[]> f = memory.cache("under-file", (Integer n) -> new int[n]);
        String err = MemoryTest.captureErr(() -> assertThat(f.apply(3)).hasSize(3));
        assertThat(err).contains("Could not cache the result of under-file(3)").contains("not-a-directory");
    }

    @Test
    void failingStore_readOnlyDirectory_returnsResultAndSaysWhy() throws IOException {
        Path ro = Files.createDirectory(dir.resolve("read-only"));
        java.io.File f = ro.toFile();
        org.junit.jupiter.api.Assumptions.assumeTrue(
                f.setWritable(false, false) && !Files.isWritable(ro),
                "this user can write into read-only directories (root): covered by the other failing-store tests");
        try {
            Memory memory = Memory.builder().location(ro).verbose(0).build();
            CachedFunction<Integer, int[]> fn = memory.cache(ReliabilityTest::counted);
            String err = MemoryTest.captureErr(() -> assertThat(fn.apply(4)).containsExactly(0, 1, 2, 3));
            assertThat(err).contains("Could not cache the result of counted(4)");
        } finally {
            f.setWritable(true, false);
        }
    }

    private static Process startChild(String... args) throws IOException {
        return command(args).start();
    }

    private static ProcessBuilder command(String... args) {
        List<String> cmd = new ArrayList<>(
                ChildJvms.command(ReliabilityChild.class, "-Xmx1g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    @Test
    void concurrency_8jvmsAnd8threads_alwaysRightValue_noCorruptEntry() throws Exception {
        List<Process> children = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            children.add(startChild("hammer", dir.toString(), "150"));
        }
        int[] wrong = new int[1];
        String parentErr = MemoryTest.captureErr(() -> {
            try {
                wrong[0] = ReliabilityChild.hammer(dir, 150);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(wrong[0]).as("wrong values in this JVM").isZero();
        assertThat(parentErr).doesNotContain("Cannot load").doesNotContain("Could not cache");
        for (Process p : children) {
            assertThat(p.waitFor(240, TimeUnit.SECONDS)).as("child finished").isTrue();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(err)
                    .doesNotContain("Cannot load")
                    .doesNotContain("Could not cache")
                    .doesNotContain("WRONG");
            assertThat(out).contains("DONE");
            assertThat(p.exitValue()).isZero();
        }
        // whatever is left in the store loads right
        Memory memory = Memory.builder().location(dir).verbose(0).build();
        CachedFunction<Integer, long[]> f = memory.cache(ReliabilityChild::payload);
        for (int k = 0; k < ReliabilityChild.KEYS; k++) {
            assertThat(ReliabilityChild.valid(k, f.apply(k))).isTrue();
        }
    }

    @Test
    void crash_writerKilledMidStore_leavesNoBadEntry_nextCallRecomputes() throws Exception {
        int n = 30_000_000; // 240 MB result
        Path log = Files.createTempFile("store-child", ".log");
        Process child = command("store", dir.toString(), Integer.toString(n))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Path staging = dir.resolve("joblib4j").resolve(".staging");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        boolean killedMidStore = false;
        while (System.nanoTime() < deadline && child.isAlive()) {
            if (Files.isDirectory(staging)) {
                try (Stream<Path> s = Files.walk(staging)) {
                    // the output (or the dump's temporary file) is being written: more than 1 MB so far
                    if (s.anyMatch(f -> {
                        try {
                            return Files.isRegularFile(f) && Files.size(f) > (1 << 20);
                        } catch (IOException e) {
                            return false;
                        }
                    })) {
                        child.destroyForcibly(); // SIGKILL
                        killedMidStore = true;
                        break;
                    }
                }
            }
            Thread.sleep(1);
        }
        child.waitFor(30, TimeUnit.SECONDS);
        String childOut = Files.readString(log);
        Files.delete(log);
        assertThat(childOut).as("the writer never finished storing").doesNotContain("STORED");
        assertThat(killedMidStore)
                .as("the writer was killed while its entry was being written")
                .isTrue();
        assertThat(child.exitValue()).isEqualTo(137);

        Memory memory = Memory.builder().location(dir).verbose(0).build();
        CachedFunction<Integer, long[]> f = memory.cache(ReliabilityChild::large);
        assertThat(f.isCached(n)).isFalse();
        String err = MemoryTest.captureErr(() -> {
            long[] v = f.apply(n);
            assertThat(v).hasSize(n);
            assertThat(v[n - 1]).isEqualTo((n - 1) * 31L);
        });
        assertThat(err).doesNotContain("Cannot load");
        assertThat(f.isCached(n)).isTrue();
        try (Stream<Path> s = Files.list(staging)) {
            assertThat(s.toList())
                    .as("the killed writer's staging directory was swept")
                    .isEmpty();
        }
    }
}
