package io.joblib4j.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.joblib4j.SerializableFunction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryTest {
    static final AtomicInteger SQUARE_CALLS = new AtomicInteger();
    static final AtomicInteger PAIR_CALLS = new AtomicInteger();
    static final AtomicInteger BIG_CALLS = new AtomicInteger();

    @TempDir
    Path dir;

    static int square(int x) {
        SQUARE_CALLS.incrementAndGet();
        return x * x;
    }

    static String pair(String a, Integer verbose) {
        PAIR_CALLS.incrementAndGet();
        return a + "!";
    }

    static double[] big(int n) {
        BIG_CALLS.incrementAndGet();
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = i * 0.5;
        }
        return d;
    }

    @BeforeEach
    void reset() {
        SQUARE_CALLS.set(0);
        PAIR_CALLS.set(0);
        BIG_CALLS.set(0);
    }

    private Memory quiet() {
        return Memory.builder().location(dir).verbose(0).build();
    }

    @Test
    void apply_sameArgumentTwice_computesOnce() {
        CachedFunction<Integer, Integer> f = quiet().cache(MemoryTest::square);
        assertThat(f.apply(3)).isEqualTo(9);
        assertThat(f.apply(3)).isEqualTo(9);
        assertThat(SQUARE_CALLS.get()).isEqualTo(1);
        assertThat(f.apply(4)).isEqualTo(16);
        assertThat(SQUARE_CALLS.get()).isEqualTo(2);
    }

    @Test
    void apply_newMemoryOnSameLocation_readsEarlierResults() {
        quiet().cache(MemoryTest::square).apply(5);
        Memory again = quiet();
        assertThat(again.cache(MemoryTest::square).apply(5)).isEqualTo(25);
        assertThat(SQUARE_CALLS.get()).isEqualTo(1);
    }

    @Test
    void nullLocation_cachesNothing() {
        Memory none = Memory.at(null);
        assertThat(none.isEnabled()).isFalse();
        CachedFunction<Integer, Integer> f = none.cache(MemoryTest::square);
        f.apply(2);
        f.apply(2);
        assertThat(SQUARE_CALLS.get()).isEqualTo(2);
        assertThat(f.isCached(2)).isFalse();
        CachedResult<Integer> r = f.callAndShelve(2);
        assertThat(r.get()).isEqualTo(4);
        assertThat(r.key()).isEmpty();
        r.clear();
        assertThatThrownBy(r::get).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void store_layout_hasOutputMetadataAndCodeRecord() throws IOException {
        CachedFunction<Integer, Integer> f = quiet().cache(MemoryTest::square);
        f.apply(7);
        assertThat(f.functionId()).isEqualTo("io.joblib4j.memory.MemoryTest.square");
        Path fdir = dir.resolve("joblib4j").resolve(f.functionId());
        assertThat(fdir.resolve("func_code.json")).isRegularFile();
        List<Path> entries;
        try (Stream<Path> s = Files.list(fdir)) {
            entries = s.filter(Files::isDirectory).toList();
        }
        assertThat(entries).hasSize(1);
        Path entry = entries.get(0);
        assertThat(entry.getFileName().toString()).matches("[0-9a-f]{32}");
        assertThat(entry.resolve("output")).isRegularFile();
        Map<String, Object> meta = MetadataJson.parseObject(Files.readString(entry.resolve("metadata.json")));
        assertThat(meta).containsKeys("duration", "input_args", "time");
        assertThat(meta.get("input_args")).isEqualTo(Map.of("x", "7"));
        Map<String, Object> code = MetadataJson.parseObject(Files.readString(fdir.resolve("func_code.json")));
        assertThat(code.get("code_version").toString()).matches("[0-9a-f]{32}");
        assertThat(code.get("implementation").toString()).contains("MemoryTest.square");
    }

    @Test
    void callAndShelve_getLoadsLazily_clearRemoves() {
        CachedFunction<Integer, double[]> f = quiet().cache(MemoryTest::big);
        CachedResult<double[]> r = f.callAndShelve(1000);
        assertThat(BIG_CALLS.get()).isEqualTo(1);
        assertThat(r.get()).hasSize(1000).startsWith(0.0, 0.5);
        assertThat(r.duration()).isNotNull();
        assertThat(f.isCached(1000)).isTrue();
        CachedResult<double[]> again = f.callAndShelve(1000);
        assertThat(BIG_CALLS.get()).isEqualTo(1);
        assertThat(again.key()).isEqualTo(r.key());
        r.clear();
        assertThat(f.isCached(1000)).isFalse();
        assertThatThrownBy(again::get)
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("no longer in")
                .hasMessageContaining("big(1000)");
    }

    @Test
    void clear_function_and_memory() {
        Memory memory = quiet();
        CachedFunction<Integer, Integer> f = memory.cache(MemoryTest::square);
        f.apply(1);
        f.apply(2);
        f.clear();
        assertThat(f.isCached(1)).isFalse();
        f.apply(1);
        assertThat(SQUARE_CALLS.get()).isEqualTo(3);
        memory.clear();
        assertThat(f.isCached(1)).isFalse();
        assertThat(memory.entries()).isEmpty();
    }

    @Test
    void ignoring_namedParameter_sharesEntry() {
        CachedBiFunction<String, Integer, String> g =
                quiet().cache(MemoryTest::pair).ignoring("verbose");
        assertThat(g.apply("a", 1)).isEqualTo("a!");
        assertThat(g.apply("a", 2)).isEqualTo("a!");
        assertThat(PAIR_CALLS.get()).isEqualTo(1);
        g.apply("b", 2);
        assertThat(PAIR_CALLS.get()).isEqualTo(2);
        CachedBiFunction<String, Integer, String> byPosition =
                quiet().cache(MemoryTest::pair).ignoring(1);
        assertThat(byPosition.isCached("a", 99)).isTrue();
    }

    @Test
    void ignoring_unknownName_listsParameters() {
        assertThatThrownBy(() -> quiet().cache(MemoryTest::pair).ignoring("nope"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nope")
                .hasMessageContaining("[a, verbose]");
        assertThatThrownBy(() -> quiet().cache(MemoryTest::pair).ignoring(2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("argument 2");
    }

    @Test
    void lambda_capturedValuesArePartOfTheKey() {
        Memory memory = quiet();
        LAMBDA_CALLS.set(0);
        int[] offsets = {10, 20};
        for (int offset : offsets) {
            CachedFunction<Integer, Integer> f = memory.cache(lambdaAdding(offset));
            assertThat(f.apply(1)).isEqualTo(1 + offset);
            assertThat(f.apply(1)).isEqualTo(1 + offset);
        }
        assertThat(LAMBDA_CALLS.get()).isEqualTo(2);
    }

    static final AtomicInteger LAMBDA_CALLS = new AtomicInteger();

    private static SerializableFunction<Integer, Integer> lambdaAdding(int offset) {
        return x -> {
            LAMBDA_CALLS.incrementAndGet();
            return x + offset;
        };
    }

    @Test
    void supplier_computedOnce() {
        CachedSupplier<String> s = quiet().cache("answer", () -> {
            SQUARE_CALLS.incrementAndGet();
            return "42";
        });
        assertThat(s.get()).isEqualTo("42");
        assertThat(s.get()).isEqualTo("42");
        assertThat(SQUARE_CALLS.get()).isEqualTo(1);
        assertThat(s.isCached()).isTrue();
        assertThat(s.functionId()).isEqualTo("answer");
    }

    @Test
    void validatedBy_rejectingCallback_recomputes() {
        CachedFunction<Integer, Integer> f = quiet().cache(MemoryTest::square);
        f.apply(3);
        CachedFunction<Integer, Integer> strict = f.validatedBy(entry -> false);
        strict.apply(3);
        assertThat(SQUARE_CALLS.get()).isEqualTo(2);
        CachedFunction<Integer, Integer> fresh = f.validatedBy(CacheValidation.expiresAfter(Duration.ofHours(1)));
        fresh.apply(3);
        assertThat(SQUARE_CALLS.get()).isEqualTo(2);
    }

    @Test
    void validatedBy_expiresAfter_recomputesOldEntries() throws IOException {
        CachedFunction<Integer, Integer> f =
                quiet().cache(MemoryTest::square).validatedBy(CacheValidation.expiresAfter(Duration.ofMinutes(5)));
        f.apply(3);
        // age the entry: rewrite its stored time 10 minutes into the past
        Path fdir = dir.resolve("joblib4j").resolve(f.functionId());
        Path entry;
        try (Stream<Path> s = Files.list(fdir)) {
            entry = s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        Path meta = entry.resolve("metadata.json");
        Map<String, Object> m = MetadataJson.parseObject(Files.readString(meta));
        m.put("time", Instant.now().minus(Duration.ofMinutes(10)).toEpochMilli() / 1e3);
        Files.writeString(meta, MetadataJson.write(m));
        f.apply(3);
        assertThat(SQUARE_CALLS.get()).isEqualTo(2);
        assertThatThrownBy(() -> CacheValidation.expiresAfter(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reduceSize_removesLeastRecentlyUsedFirst() throws IOException {
        Memory memory = quiet();
        CachedFunction<Integer, Integer> f = memory.cache(MemoryTest::square);
        for (int i = 0; i < 5; i++) {
            f.apply(i);
        }
        // make access order explicit: i=0 oldest ... i=4 newest, then use 0 again
        List<CacheEntry> entries = memory.entries();
        assertThat(entries).hasSize(5);
        Instant base = Instant.now().minus(Duration.ofHours(2));
        for (CacheEntry e : entries) {
            int x = Integer.parseInt(e.inputArgs().get("x"));
            Files.setLastModifiedTime(
                    dir.resolve("joblib4j").resolve(e.functionId()).resolve(e.key()),
                    FileTime.from(base.plus(Duration.ofMinutes(x))));
        }
        f.apply(0); // touches entry 0: now the most recent
        List<CacheEntry> removed = memory.reduceSize(null, 3, null);
        assertThat(removed).extracting(e -> e.inputArgs().get("x")).containsExactly("1", "2");
        assertThat(f.isCached(0)).isTrue();
        assertThat(f.isCached(3)).isTrue();
        removed = memory.reduceSize(null, null, Duration.ofHours(1));
        assertThat(removed).extracting(e -> e.inputArgs().get("x")).containsExactly("3", "4");
        assertThat(memory.entries()).hasSize(1);
        memory.reduceSize(0L, null, null);
        assertThat(memory.entries()).isEmpty();
    }

    @Test
    void reduceSize_negativeAge_isAnError() {
        assertThatThrownBy(() -> quiet().reduceSize(null, null, Duration.ofSeconds(-5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT-5S");
        assertThatThrownBy(() -> quiet().reduceSize(-1L, null, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bytesLimit_enforcedAfterStores() {
        Memory memory =
                Memory.builder().location(dir).verbose(0).bytesLimit("300K").build();
        CachedFunction<Integer, double[]> f = memory.cache(MemoryTest::big);
        for (int i = 0; i < 10; i++) {
            f.apply(10_000 + i); // ~80 KB each
        }
        long total = memory.entries().stream().mapToLong(CacheEntry::sizeBytes).sum();
        assertThat(total).isLessThanOrEqualTo(300 * 1024);
        assertThat(f.isCached(10_009)).isTrue();
        assertThat(f.isCached(10_000)).isFalse();
    }

    @Test
    void bytesLimit_invalidText_namesValue() {
        assertThatThrownBy(() -> Memory.builder().bytesLimit("lots"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"lots\"");
    }

    @Test
    void verbose_printsJoblibStyleMessages() {
        String out = captureErr(() -> {
            Memory memory = Memory.builder().location(dir).verbose(2).build();
            CachedFunction<Integer, Integer> f = memory.cache(MemoryTest::square);
            f.apply(6);
            f.apply(6);
        });
        assertThat(out)
                .contains("_".repeat(80) + "\n[Memory] Calling io.joblib4j.memory.MemoryTest.square...\nsquare(6)\n");
        assertThat(out).containsPattern("_+square - \\d+\\.\\ds, \\d+\\.\\dmin\n");
        assertThat(out).containsPattern("\\[Memory\\]\\d+\\.\\ds, \\d+\\.\\dmin +: Loading square\\(x=6\\)");
    }

    @Test
    void verboseZero_printsNothingOnSuccess() {
        String out = captureErr(() -> {
            CachedFunction<Integer, Integer> f = quiet().cache(MemoryTest::square);
            f.apply(6);
            f.apply(6);
        });
        assertThat(out).isEmpty();
    }

    static String captureErr(Runnable body) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    static final AtomicInteger SLOW_CALLS = new AtomicInteger();

    static int slow(int x) {
        SLOW_CALLS.incrementAndGet();
        try {
            Thread.sleep(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return x * 10;
    }

    @Test
    void apply_manyThreadsMissSameKey_computeOnceInThisJvm() throws Exception {
        SLOW_CALLS.set(0);
        CachedFunction<Integer, Integer> f = quiet().cache(MemoryTest::slow);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return f.apply(4);
                }));
            }
            start.countDown();
            for (var r : results) {
                assertThat(r.get()).isEqualTo(40);
            }
        }
        assertThat(SLOW_CALLS.get()).isEqualTo(1);
    }

    @Test
    void functionThrows_exceptionReachesCaller_nothingStored() {
        CachedFunction<Integer, Integer> f = quiet().cache("failing", x -> {
            throw new IllegalStateException("boom " + x);
        });
        assertThatThrownBy(() -> f.apply(1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("boom 1");
        assertThat(f.isCached(1)).isFalse();
    }

    @Test
    void explicitName_sharedByTwoFunctions_warnsOfCollision() {
        Memory memory = quiet();
        String out = captureErr(() -> {
            memory.cache("shared", (Integer x) -> x + 1).apply(1);
            memory.cache("shared", (Integer x) -> x * 100).apply(1);
        });
        assertThat(out).containsOnlyOnce("Possible name collision").contains("cached as shared");
    }

    @Test
    void explicitName_invalid_isRejected() {
        assertThatThrownBy(() -> quiet().cache(" ", (Integer x) -> x)).isInstanceOf(IllegalArgumentException.class);
    }
}
