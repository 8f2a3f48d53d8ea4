package io.joblib4j.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.joblib4j.array.MmapMode;
import io.joblib4j.persist.Compression;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the file-system store deletes and reads, and Memory's answers about entries (isCached, call). */
class StoreSafetyTest {
    static final AtomicInteger CALLS = new AtomicInteger();

    @TempDir
    Path dir;

    static int counted(int x) {
        return x * 1000 + CALLS.incrementAndGet();
    }

    static String joined(String a, Integer b) {
        CALLS.incrementAndGet();
        return a + b;
    }

    static double[] ones(int n) {
        CALLS.incrementAndGet();
        double[] d = new double[n];
        java.util.Arrays.fill(d, 1);
        return d;
    }

    @BeforeEach
    void reset() {
        CALLS.set(0);
    }

    private Memory quiet() {
        return Memory.builder().location(dir).verbose(0).build();
    }

    private Path root() {
        return dir.resolve("joblib4j");
    }

    private Path onlyEntry(String functionId) throws IOException {
        try (Stream<Path> s = Files.list(root().resolve(functionId))) {
            return s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ what clear deletes

    @Test
    void clear_directoryThatMerelyContainsJoblib4j_refusesNamingItAndDeletesNothing() throws IOException {
        write(root().resolve("core/src/Main.java"), "class Main {}");
        write(root().resolve("docs/README.md"), "# docs");
        Memory memory = Memory.builder().location(dir).verbose(0).build();
        assertThatThrownBy(memory::clear)
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(root().toString())
                .hasMessageContaining("is not a joblib4j store");
        assertThatThrownBy(() -> memory.reduceSize(0L, 0, null))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("is not a joblib4j store");
        assertThatThrownBy(memory::entries).hasMessageContaining("is not a joblib4j store");
        assertThat(root().resolve("core/src/Main.java")).hasContent("class Main {}");
        assertThat(root().resolve("docs/README.md")).hasContent("# docs");
        assertThat(root().resolve(FileSystemStore.MARKER)).doesNotExist();
    }

    @Test
    void clear_storeHoldingForeignFiles_deletesOnlyWhatTheStoreWrote() throws IOException {
        Memory memory = quiet();
        CachedFunction<Integer, Integer> f = memory.cache(StoreSafetyTest::counted);
        f.apply(1);
        f.apply(2);
        Path fdir = root().resolve(f.functionId());
        write(root().resolve("notes/todo.txt"), "mine");
        write(fdir.resolve("README.txt"), "also mine");
        write(fdir.resolve("scratch/data.csv"), "1,2");
        memory.clear();
        assertThat(memory.entries()).isEmpty();
        assertThat(root().resolve("notes/todo.txt")).hasContent("mine");
        assertThat(fdir.resolve("README.txt")).hasContent("also mine");
        assertThat(fdir.resolve("scratch/data.csv")).hasContent("1,2");
        assertThat(fdir.resolve(FileSystemStore.CODE_RECORD)).doesNotExist();
        assertThat(root().resolve(FileSystemStore.MARKER)).isRegularFile();
        assertThat(f.apply(1)).isEqualTo(1003); // computed again after the clear
    }

    @Test
    void newStore_writesMarkerAndGitignore() throws IOException {
        quiet().cache(StoreSafetyTest::counted).apply(1);
        assertThat(root().resolve(FileSystemStore.MARKER)).isRegularFile();
        assertThat(root().resolve(".gitignore")).hasContent("*");
        assertThat(quiet().store().orElseThrow().functions())
                .containsExactly("io.joblib4j.memory.StoreSafetyTest.counted");
    }

    @Test
    void storeWrittenBeforeTheMarker_isRecognisedByItsEntries_andGetsItsMarker() throws IOException {
        CachedFunction<Integer, Integer> f = quiet().cache(StoreSafetyTest::counted);
        f.apply(1);
        Files.delete(root().resolve(FileSystemStore.MARKER));
        Files.delete(root().resolve(".gitignore"));
        write(root().resolve("keep/me.txt"), "mine");
        Memory fresh = quiet();
        assertThat(fresh.entries()).hasSize(1);
        assertThat(root().resolve(FileSystemStore.MARKER)).isRegularFile();
        fresh.clear();
        assertThat(fresh.entries()).isEmpty();
        assertThat(root().resolve("keep/me.txt")).hasContent("mine");
    }

    @Test
    void clear_emptyOrMissingStore_isNoError() throws IOException {
        quiet().clear();
        Files.createDirectories(root());
        quiet().clear();
        assertThat(quiet().entries()).isEmpty();
    }

    // ------------------------------------------------------------------ entries whose output is not a regular file

    @ParameterizedTest
    @ValueSource(strings = {"deleted", "directory", "fifo", "symlink to /dev/zero", "symlink out of the store"})
    void outputNotARegularFile_saidOnceReplaced_nextCallIsAHit(String damage) throws Exception {
        CachedFunction<Integer, Integer> f = quiet().cache(StoreSafetyTest::counted);
        assertThat(f.apply(7)).isEqualTo(7001);
        Path entry = onlyEntry(f.functionId());
        Path out = entry.resolve("output");
        Path outside = Files.createTempDirectory(dir, "outside").resolve("secret");
        Files.writeString(outside, "not a cache entry");
        Files.delete(out);
        switch (damage) {
            case "deleted" -> {}
            case "directory" -> write(out.resolve("inside.txt"), "x");
            case "fifo" ->
                assertThat(new ProcessBuilder("mkfifo", out.toString())
                                .inheritIO()
                                .start()
                                .waitFor())
                        .isZero();
            case "symlink to /dev/zero" -> Files.createSymbolicLink(out, Path.of("/dev/zero"));
            case "symlink out of the store" -> Files.createSymbolicLink(out, outside);
            default -> throw new IllegalArgumentException(damage);
        }
        assertThat(f.isCached(7)).isFalse();
        String err = MemoryTest.captureErr(() -> assertThat(f.apply(7)).isEqualTo(7002));
        assertThat(err).containsOnlyOnce("[Memory] Cache entry " + entry).contains("replaced it");
        assertThat(f.isCached(7)).isTrue();
        String again = MemoryTest.captureErr(() -> assertThat(f.apply(7)).isEqualTo(7002));
        assertThat(again).isEmpty();
        assertThat(CALLS.get()).isEqualTo(2);
        assertThat(Files.isRegularFile(out, LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(outside).hasContent("not a cache entry");
    }

    /** A file-system store whose removals fail. */
    static final class UndeletableStore extends ForwardingStore {
        UndeletableStore(Path location) {
            super(location);
        }

        @Override
        public boolean remove(String f, String k) throws IOException {
            throw new IOException("Operation not permitted");
        }
    }

    @Test
    void corruptEntry_thatCannotBeRemoved_isNotReportedAsRemoved() throws IOException {
        Memory memory =
                Memory.builder().store(new UndeletableStore(dir)).verbose(0).build();
        CachedFunction<Integer, Integer> f = memory.cache(StoreSafetyTest::counted);
        f.apply(3);
        Files.writeString(onlyEntry(f.functionId()).resolve("output"), "garbage");
        String err = MemoryTest.captureErr(() -> assertThat(f.apply(3)).isEqualTo(3002));
        assertThat(err)
                .contains("Cannot load the cached result of counted(3)")
                .contains("could not be removed")
                .contains("Operation not permitted")
                .doesNotContain("removed;");
    }

    // ------------------------------------------------------------------ isCached answers what a call would do

    @Test
    void isCached_entryRejectedByValidation_isFalse_likeTheCall() {
        CachedFunction<Integer, Integer> plain = quiet().cache(StoreSafetyTest::counted);
        plain.apply(5);
        CachedFunction<Integer, Integer> rejecting = plain.validatedBy(entry -> false);
        CachedFunction<Integer, Integer> accepting = plain.validatedBy(entry -> true);
        assertThat(plain.isCached(5)).isTrue();
        assertThat(accepting.isCached(5)).isTrue();
        assertThat(rejecting.isCached(5)).isFalse();
        assertThat(plain.isCached(5)).as("isCached removes nothing").isTrue();
        rejecting.apply(5);
        assertThat(CALLS.get()).as("the call agrees: it recomputes").isEqualTo(2);
    }

    // ------------------------------------------------------------------ compression + mmap: one warning

    @Test
    void compressionWithMmap_warnsOncePerFunction_notOnEveryHit() {
        List<LogRecord> logged = new ArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                synchronized (logged) {
                    logged.add(r);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger persist = Logger.getLogger("io.joblib4j.persist");
        persist.addHandler(h);
        try {
            Memory memory = Memory.builder()
                    .location(dir)
                    .verbose(0)
                    .compression(Compression.zlib(3))
                    .mmapMode(MmapMode.READ_ONLY)
                    .build();
            CachedFunction<Integer, double[]> f = memory.cache("ones-" + dir.getFileName(), StoreSafetyTest::ones);
            String err = MemoryTest.captureErr(() -> {
                for (int i = 0; i < 4; i++) {
                    assertThat(f.apply(1000)).hasSize(1000).containsOnly(1.0);
                }
            });
            assertThat(CALLS.get()).isEqualTo(1);
            assertThat(err).containsOnlyOnce("mmapMode READ_ONLY is ignored");
            synchronized (logged) {
                assertThat(logged)
                        .extracting(LogRecord::getMessage)
                        .noneMatch(m -> m.contains("cannot be memory-mapped"));
            }
        } finally {
            persist.removeHandler(h);
        }
    }

    // ------------------------------------------------------------------ verbose: the function's own duration

    /** A file-system store whose writes take 300 ms (a slow disk). */
    static final class SlowStore extends ForwardingStore {
        SlowStore(Path location) {
            super(location);
        }

        @Override
        public long put(String f, String k, OutputWriter w, Duration d, Map<String, String> a) throws IOException {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return inner.put(f, k, w, d, a);
        }
    }

    @Test
    void verbose_instantFunction_reportsItsOwnDuration_notTheStoreTime() {
        Memory memory = Memory.builder().store(new SlowStore(dir)).verbose(1).build();
        CachedFunction<Integer, Integer> f = memory.cache(StoreSafetyTest::counted);
        String err = MemoryTest.captureErr(() -> f.apply(1));
        assertThat(err).containsPattern("_+counted - 0\\.0s, 0\\.0min\n");
    }

    // ------------------------------------------------------------------ call(x): always computes, stores, returns
    // metadata

    @Test
    void call_alwaysComputes_storesTheNewResult_andReturnsItsMetadata() {
        CachedFunction<Integer, Integer> f = quiet().cache(StoreSafetyTest::counted);
        assertThat(f.apply(4)).isEqualTo(4001);
        CallOutput<Integer> first = f.call(4);
        assertThat(first.output()).isEqualTo(4002);
        assertThat(first.metadata().functionId()).isEqualTo(f.functionId());
        assertThat(first.metadata().key()).matches("[0-9a-f]{32}");
        assertThat(first.metadata().inputArgs()).containsEntry("x", "4");
        assertThat(first.metadata().sizeBytes()).isPositive();
        assertThat(f.call(4).output()).isEqualTo(4003);
        assertThat(f.apply(4)).as("the cache holds the last call's result").isEqualTo(4003);
        assertThat(CALLS.get()).isEqualTo(3);
    }

    @Test
    void call_biFunctionAndNoLocation() {
        CachedBiFunction<String, Integer, String> g = quiet().cache(StoreSafetyTest::joined);
        CallOutput<String> r = g.call("a", 1);
        assertThat(r.output()).isEqualTo("a1");
        assertThat(r.metadata().inputArgs()).hasSize(2);
        assertThat(g.apply("a", 1)).isEqualTo("a1");
        assertThat(CALLS.get()).isEqualTo(1);
        CachedFunction<Integer, Integer> none = Memory.at(null).cache(StoreSafetyTest::counted);
        CallOutput<Integer> n = none.call(2);
        assertThat(n.output()).isEqualTo(2002);
        assertThat(n.metadata().sizeBytes()).isZero();
    }
}
