package io.joblib4j.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.joblib4j.Joblib;
import io.joblib4j.array.PersistException;
import io.joblib4j.memory.CachedFunction;
import io.joblib4j.memory.Memory;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What dump writes, load reads with the default options; what dump cannot write fails naming where. */
class WhatDumpWritesTest {
    @TempDir
    Path dir;

    static List<Object> valuesOfTheDocumentedTable() {
        return List.of(
                List.of(Map.entry("a", 1)),
                Map.entry("k", List.of(1, 2)),
                new AbstractMap.SimpleEntry<>("a", 1),
                new AbstractMap.SimpleImmutableEntry<>("b", 2L),
                Optional.of("x"),
                Optional.empty(),
                OptionalInt.of(3),
                LocalDate.of(2024, 2, 29),
                LocalDateTime.of(2024, 1, 2, 3, 4, 5),
                Instant.ofEpochSecond(1, 2),
                Duration.ofMillis(1500),
                ZonedDateTime.of(2024, 1, 2, 3, 4, 5, 0, ZoneId.of("Europe/Paris")),
                UUID.fromString("12345678-1234-1234-1234-123456789abc"),
                new BigDecimal("3.14159265358979323846"),
                new BigInteger("123456789012345678901234567890"),
                EnumSet.of(java.time.DayOfWeek.MONDAY, java.time.DayOfWeek.SUNDAY),
                new EnumMap<>(Map.of(java.time.Month.MAY, "may")),
                List.of(),
                List.of(1),
                List.of(1, 2, 3),
                Set.of("a", "b", "c"),
                Map.of(),
                Map.of("a", 1, "b", 2),
                List.copyOf(new ArrayList<>(List.of(1, 2))),
                Collections.unmodifiableList(new ArrayList<>(List.of(1))),
                Collections.unmodifiableMap(Map.of("a", 1)),
                Collections.emptyList(),
                Collections.singletonList(1),
                new AtomicInteger(5).get(),
                new java.util.BitSet(3),
                java.util.Locale.FRANCE,
                new int[] {1, 2},
                new String[] {"a", null},
                "text",
                'c',
                (byte) 1,
                (short) 2,
                3L,
                4.0f,
                5.0);
    }

    @ParameterizedTest
    @MethodSource("valuesOfTheDocumentedTable")
    void documentedValue_roundTripsWithTheDefaultOptions(Object value) throws Exception {
        Path f = dir.resolve("v.dump");
        Joblib.dump(value, f);
        Object back = Joblib.load(f);
        if (value instanceof int[] a) {
            assertThat((int[]) back).containsExactly(a);
        } else if (value instanceof Object[] a) {
            assertThat((Object[]) back).containsExactly(a);
        } else {
            assertThat(back).isEqualTo(value);
        }
    }

    record Box(Object value) {}

    @Test
    void dump_unwritableObject_failsNamingThePathToIt() {
        Path f = dir.resolve("thread.dump");
        Object value = List.of(new Box(Map.of("k", new ArrayList<>(List.of(1, Thread.currentThread())))));
        assertThatThrownBy(() -> Joblib.dump(value, f))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining("root[0].value[\"k\"][1]: java.lang.Thread cannot be written");
    }

    static Object nested(int levels) {
        Object o = "leaf";
        for (int i = 0; i < levels; i++) {
            o = new ArrayList<>(List.of(o));
        }
        return o;
    }

    record Link(int n, Link next) {}

    static Object chain(int levels, boolean map) {
        Object o = 1;
        for (int i = 0; i < levels; i++) {
            o = map ? Map.of("k", o) : new Object[] {o};
        }
        return o;
    }

    @Test
    void valueAtTheDepthLimit_dumpsAndLoads_evenOnASmallStack() throws Exception {
        int limit = ForyEngine.MAX_DUMP_DEPTH;
        Link link = null;
        for (int i = 0; i < limit; i++) {
            link = new Link(i, link);
        }
        List<Object> values = List.of(nested(limit), chain(limit, true), chain(limit, false), link);
        LoadOptions links = LoadOptions.builder().allowClasses(Link.class).build();
        for (Object v : values) {
            Path f = dir.resolve("deep.dump");
            Object[] back = new Object[1];
            Throwable[] failed = new Throwable[1];
            // a 256 KiB stack: far less than either walk needs at this depth
            Thread t = new Thread(
                    null,
                    () -> {
                        try {
                            Joblib.dump(v, f);
                            back[0] = Joblib.load(f, links);
                        } catch (Throwable e) {
                            failed[0] = e;
                        }
                    },
                    "small-stack",
                    256 << 10);
            t.start();
            t.join();
            assertThat(failed[0]).as("dump/load of %s", v.getClass()).isNull();
            assertThat(Joblib.hash(back[0])).isEqualTo(Joblib.hash(v));
        }
    }

    @Test
    void valueDeeperThanLoadReads_isRefusedAtDump_namingTheDepth() {
        Path f = dir.resolve("too-deep.dump");
        assertThatThrownBy(() -> Joblib.dump(nested(ForyEngine.MAX_DUMP_DEPTH + 1), f))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining("nests more than " + ForyEngine.MAX_DUMP_DEPTH + " levels deep")
                .hasMessageContaining("root[0][0][0]");
        assertThatThrownBy(() -> Joblib.dump(nested(20_000), new java.io.ByteArrayOutputStream()))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining("nests more than " + ForyEngine.MAX_DUMP_DEPTH + " levels deep");
        assertThat(f).doesNotExist();
    }

    static final AtomicInteger CALLS = new AtomicInteger();

    static Object deepResult(int levels) {
        CALLS.incrementAndGet();
        return nested(levels);
    }

    @Test
    void memory_deepResult_isComputedOnce() {
        CALLS.set(0);
        Memory memory =
                Memory.builder().location(dir.resolve("cache")).verbose(0).build();
        CachedFunction<Integer, Object> f = memory.cache(WhatDumpWritesTest::deepResult);
        Object first = f.apply(60);
        Object second = f.apply(60);
        assertThat(Joblib.hash(second)).isEqualTo(Joblib.hash(first));
        assertThat(CALLS).hasValue(1);
    }

    @Test
    void hash_ofAListNested10000Deep_works_andDeeperThanTheLimitIsRefusedNamingTheDepth() {
        assertThat(Joblib.hash(nested(10_000))).hasSize(32).isNotEqualTo(Joblib.hash(nested(9_999)));
        assertThatThrownBy(() -> Joblib.hash(nested(io.joblib4j.hash.Hashing.MAX_DEPTH + 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nests more than " + io.joblib4j.hash.Hashing.MAX_DEPTH + " levels deep");
    }
}
