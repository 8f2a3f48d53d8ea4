package io.joblib4j.memory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;
import org.jspecify.annotations.Nullable;

/** Cache hits and misses for {@link CacheListener}s and the flight recorder, recorded only when one asks. */
final class CacheEvents {
    static final CopyOnWriteArrayList<CacheListener> LISTENERS = new CopyOnWriteArrayList<>();
    private static final Set<Class<?>> REPORTED = ConcurrentHashMap.newKeySet();

    private CacheEvents() {}

    @Name("io.joblib4j.CacheHit")
    @Label("Cache Hit")
    @Category({"joblib4j"})
    @Description("A call through Memory whose result was loaded from the cache")
    @StackTrace(false)
    static final class CacheHitEvent extends Event {
        @Label("Function")
        @Nullable
        String function;

        @Label("Key")
        @Nullable
        String key;

        @Label("Bytes")
        @DataAmount
        long bytes;

        @Label("Duration")
        @Description("How long loading the result took")
        @Timespan(Timespan.NANOSECONDS)
        long loadTime;

        @Label("Location")
        @Nullable
        String location;
    }

    @Name("io.joblib4j.CacheMiss")
    @Label("Cache Miss")
    @Category({"joblib4j"})
    @Description("A call through Memory whose result was not cached: the function ran and its result was stored")
    @StackTrace(false)
    static final class CacheMissEvent extends Event {
        @Label("Function")
        @Nullable
        String function;

        @Label("Key")
        @Nullable
        String key;

        @Label("Bytes")
        @Description("The stored result's size (-1: not stored)")
        @DataAmount
        long bytes;

        @Label("Duration")
        @Description("How long the function ran")
        @Timespan(Timespan.NANOSECONDS)
        long computeTime;

        @Label("Location")
        @Nullable
        String location;
    }

    /** True if a listener or a recording wants cache events now. */
    static boolean wanted() {
        return !LISTENERS.isEmpty() || new CacheHitEvent().isEnabled() || new CacheMissEvent().isEnabled();
    }

    private record Data(Memory memory, String location, String function, String key, long bytes, long durationNanos)
            implements CacheListener.CacheEvent {}

    static void hit(Memory memory, String location, String function, String key, long bytes, long nanos) {
        CacheHitEvent e = new CacheHitEvent();
        if (e.shouldCommit()) {
            e.function = function;
            e.key = key;
            e.bytes = bytes;
            e.loadTime = nanos;
            e.location = location;
            e.commit();
        }
        if (LISTENERS.isEmpty()) {
            return;
        }
        Data data = new Data(memory, location, function, key, bytes, nanos); // one event, seen by every listener
        for (CacheListener l : LISTENERS) {
            try {
                l.hit(data);
            } catch (RuntimeException ex) {
                failed(l, ex);
            }
        }
    }

    static void miss(Memory memory, String location, String function, String key, long bytes, long nanos) {
        CacheMissEvent e = new CacheMissEvent();
        if (e.shouldCommit()) {
            e.function = function;
            e.key = key;
            e.bytes = bytes;
            e.computeTime = nanos;
            e.location = location;
            e.commit();
        }
        if (LISTENERS.isEmpty()) {
            return;
        }
        Data data = new Data(memory, location, function, key, bytes, nanos); // one event, seen by every listener
        for (CacheListener l : LISTENERS) {
            try {
                l.miss(data);
            } catch (RuntimeException ex) {
                failed(l, ex);
            }
        }
    }

    private static void failed(CacheListener l, RuntimeException e) {
        if (REPORTED.add(l.getClass())) {
            System.err.println("[Memory] the CacheListener " + l.getClass().getName() + " threw (reported once): " + e);
        }
    }
}
