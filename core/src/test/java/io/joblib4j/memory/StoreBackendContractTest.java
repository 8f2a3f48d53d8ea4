package io.joblib4j.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link StoreBackend} contract, written once: a subclass per implementation supplies the store. The
 * file-system store's subclass is {@link FileSystemStoreContractTest} below.
 */
abstract class StoreBackendContractTest {
    @TempDir
    Path dir;

    /** A new, empty store. */
    abstract StoreBackend newStore() throws IOException;

    private static StoreBackend.OutputWriter text(String s) {
        return file -> Files.writeString(file, s, StandardCharsets.UTF_8);
    }

    @Test
    void put_thenOutputAndEntry_describeIt() throws IOException {
        StoreBackend store = newStore();
        long size = store.put(
                "fn", "0123456789abcdef0123456789abcdef", text("result"), Duration.ofMillis(1500), Map.of("x", "1"));
        assertThat(size).isPositive();
        Path out = store.output("fn", "0123456789abcdef0123456789abcdef");
        assertThat(Files.readString(out)).isEqualTo("result");
        CacheEntry e = store.entry("fn", "0123456789abcdef0123456789abcdef");
        assertThat(e.functionId()).isEqualTo("fn");
        assertThat(e.duration()).isEqualTo(Duration.ofMillis(1500));
        assertThat(e.inputArgs()).containsEntry("x", "1");
        assertThat(e.sizeBytes()).isEqualTo(size);
        assertThat(store.functions()).containsExactly("fn");
        assertThat(store.entries("fn")).extracting(CacheEntry::key).containsExactly("0123456789abcdef0123456789abcdef");
    }

    @Test
    void missing_answersNullOrEmpty() throws IOException {
        StoreBackend store = newStore();
        assertThat(store.output("fn", "k")).isNull();
        assertThat(store.entry("fn", "k")).isNull();
        assertThat(store.codeRecord("fn")).isNull();
        assertThat(store.entries("fn")).isEmpty();
        assertThat(store.functions()).isEmpty();
        assertThat(store.remove("fn", "k")).isFalse();
        store.touch("fn", "k");
        store.clear("fn");
        store.clear();
    }

    @Test
    void remove_clearFunction_clearAll() throws IOException {
        StoreBackend store = newStore();
        store.put("a", "k1", text("1"), Duration.ZERO, Map.of());
        store.put("a", "k2", text("2"), Duration.ZERO, Map.of());
        store.put("b", "k1", text("3"), Duration.ZERO, Map.of());
        assertThat(store.remove("a", "k1")).isTrue();
        assertThat(store.output("a", "k1")).isNull();
        store.clear("a");
        assertThat(store.functions()).containsExactly("b");
        store.clear();
        assertThat(store.functions()).isEmpty();
    }

    @Test
    void usage_reportsSizeAndLastAccessOfEveryEntry() throws IOException {
        StoreBackend store = newStore();
        long a = store.put("fn", "k1", text("1"), Duration.ZERO, Map.of());
        long b = store.put("fn", "k2", text("22"), Duration.ZERO, Map.of());
        assertThat(store.usage("fn")).extracting(CacheEntry::sizeBytes).containsExactlyInAnyOrder(a, b);
        assertThat(store.usage("none")).isEmpty();
    }

    @Test
    void codeRecord_replacedAtomically() throws IOException {
        StoreBackend store = newStore();
        store.writeCodeRecord("fn", "{\"code_version\": \"1\"}");
        store.writeCodeRecord("fn", "{\"code_version\": \"2\"}");
        assertThat(store.codeRecord("fn")).contains("\"2\"");
    }

    @Test
    void put_failingWriter_publishesNothing() throws IOException {
        StoreBackend store = newStore();
        assertThatThrownBy(() -> store.put(
                        "fn",
                        "k",
                        file -> {
                            Files.writeString(file, "half");
                            throw new IOException("disk full");
                        },
                        Duration.ZERO,
                        Map.of()))
                .hasMessage("disk full");
        assertThat(store.output("fn", "k")).isNull();
        assertThat(store.entries("fn")).isEmpty();
    }

    @Test
    void put_concurrentWritersOfOneKey_oneCompleteEntryWins() throws Exception {
        StoreBackend store = newStore();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Long>> done = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String body = ("writer " + i + " ").repeat(10_000);
            done.add(pool.submit(() -> {
                go.await();
                return store.put("fn", "k", text(body), Duration.ZERO, Map.of());
            }));
        }
        go.countDown();
        for (Future<Long> f : done) {
            f.get();
        }
        pool.shutdown();
        String stored = Files.readString(store.output("fn", "k"));
        assertThat(stored).matches("(writer \\d )+");
        assertThat(stored).isEqualTo(stored.substring(0, 9).repeat(10_000));
        assertThat(store.entries("fn")).hasSize(1);
    }

    @Test
    void invalidNames_areRejectedWithTheName() throws IOException {
        StoreBackend store = newStore();
        assertThatThrownBy(() -> store.output("../etc", "k"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"../etc\"");
    }
}

class FileSystemStoreContractTest extends StoreBackendContractTest {
    @Override
    StoreBackend newStore() {
        return StoreBackend.fileSystem(dir.resolve("cache"));
    }

    @Test
    void layout_entryDirectoryHoldsOutputAndMetadata() throws IOException {
        StoreBackend store = newStore();
        store.put("fn", "k", file -> Files.writeString(file, "x"), Duration.ZERO, Map.of());
        Path entry = dir.resolve("cache/joblib4j/fn/k");
        assertThat(entry.resolve("output")).hasContent("x");
        assertThat(entry.resolve("metadata.json")).content().contains("\"duration\"", "\"input_args\"", "\"time\"");
        assertThat(store.location()).isEqualTo(dir.resolve("cache").toString());
    }
}
