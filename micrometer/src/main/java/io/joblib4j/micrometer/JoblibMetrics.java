package io.joblib4j.micrometer;

import io.joblib4j.memory.CacheEntry;
import io.joblib4j.memory.CacheListener;
import io.joblib4j.memory.Memory;
import io.joblib4j.parallel.CallListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Publishes joblib4j's figures to a Micrometer {@link MeterRegistry}: every {@code Parallel} call and every
 * {@code Memory} cache call made in this JVM after {@link #bindTo} is counted, until {@link #close()}.
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 * <tr><td>{@code joblib4j.tasks.completed}</td><td>counter</td><td>backend</td><td>tasks that delivered a value</td></tr>
 * <tr><td>{@code joblib4j.tasks.failed}</td><td>counter</td><td>backend</td><td>tasks that threw, timed out or lost
 * their worker for good</td></tr>
 * <tr><td>{@code joblib4j.tasks.retried}</td><td>counter</td><td>backend</td><td>tasks run again after their worker
 * died or left</td></tr>
 * <tr><td>{@code joblib4j.batch.duration}</td><td>timer</td><td>backend</td><td>how long each batch ran on its
 * worker</td></tr>
 * <tr><td>{@code joblib4j.workers.active}</td><td>gauge</td><td>backend</td><td>workers held by the calls running
 * now</td></tr>
 * <tr><td>{@code joblib4j.cache.hits}</td><td>counter</td><td>function</td><td>calls answered from the cache</td></tr>
 * <tr><td>{@code joblib4j.cache.misses}</td><td>counter</td><td>function</td><td>calls computed (and stored)</td></tr>
 * <tr><td>{@code joblib4j.cache.size.bytes}</td><td>gauge</td><td>location</td><td>bytes the cache's entries take
 * in its store (read when the gauge is read)</td></tr>
 * </table>
 *
 * <pre>{@code
 * MeterRegistry registry = new SimpleMeterRegistry();
 * try (JoblibMetrics metrics = JoblibMetrics.bindTo(registry)) {
 *     Parallel.of(2).map(x -> x * 2, List.of(1, 2, 3));
 *     registry.get("joblib4j.tasks.completed").tag("backend", "threads").counter().count();   // 3.0
 * }
 * }</pre>
 */
public final class JoblibMetrics implements AutoCloseable {
    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> activeWorkers = new ConcurrentHashMap<>();
    private final Map<String, WeakReference<Memory>> caches = new ConcurrentHashMap<>();
    private final CallListener.Registration calls;
    private final CacheListener.Registration cacheCalls;

    private JoblibMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.calls = CallListener.register(new Calls());
        this.cacheCalls = CacheListener.register(new CacheCalls());
    }

    /**
     * Starts publishing to {@code registry}; meters appear as calls are made (per backend, function and location).
     *
     * @throws NullPointerException if {@code registry} is null
     */
    public static JoblibMetrics bindTo(MeterRegistry registry) {
        return new JoblibMetrics(Objects.requireNonNull(registry, "registry must not be null"));
    }

    /** Stops counting calls; the meters stay in the registry with their last values. */
    @Override
    public void close() {
        calls.close();
        cacheCalls.close();
    }

    private Counter counter(String name, String tag, String value, String description) {
        return Counter.builder(name).tag(tag, value).description(description).register(registry);
    }

    private AtomicInteger active(String backend) {
        return activeWorkers.computeIfAbsent(backend, b -> {
            AtomicInteger n = new AtomicInteger();
            Gauge.builder("joblib4j.workers.active", n, AtomicInteger::get)
                    .tag("backend", b)
                    .description("workers held by the Parallel calls running now")
                    .register(registry);
            return n;
        });
    }

    private final class Calls implements CallListener {
        @Override
        public void callStarted(Call call) {
            active(call.backend()).addAndGet(call.nJobs());
        }

        @Override
        public void batchEnded(Call call, BatchRecord batch) {
            String backend = call.backend();
            if (batch.tasksCompleted() > 0) {
                counter("joblib4j.tasks.completed", "backend", backend, "tasks that delivered a value")
                        .increment(batch.tasksCompleted());
            }
            switch (batch.outcome()) {
                case FAILED, TIMED_OUT, LOST ->
                    counter("joblib4j.tasks.failed", "backend", backend, "tasks that failed")
                            .increment();
                case RETRIED ->
                    counter("joblib4j.tasks.retried", "backend", backend, "tasks run again after a lost worker")
                            .increment(batch.tasks() - batch.tasksCompleted());
                default -> {}
            }
            if (batch.worker() != null && batch.durationNanos() > 0) {
                Timer.builder("joblib4j.batch.duration")
                        .tag("backend", backend)
                        .description("how long a batch ran on its worker")
                        .register(registry)
                        .record(batch.durationNanos(), TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void callEnded(Call call, CallOutcome outcome) {
            active(call.backend()).addAndGet(-call.nJobs());
        }
    }

    private final class CacheCalls implements CacheListener {
        @Override
        public void hit(CacheEvent event) {
            counter("joblib4j.cache.hits", "function", event.function(), "calls answered from the cache")
                    .increment();
            sized(event);
        }

        @Override
        public void miss(CacheEvent event) {
            counter("joblib4j.cache.misses", "function", event.function(), "calls computed and stored")
                    .increment();
            sized(event);
        }

        private void sized(CacheEvent event) {
            caches.computeIfAbsent(event.location(), location -> {
                WeakReference<Memory> ref = new WeakReference<>(event.memory());
                Gauge.builder("joblib4j.cache.size.bytes", ref, JoblibMetrics::sizeOf)
                        .tag("location", location)
                        .description("bytes the cache's entries take in its store")
                        .baseUnit("bytes")
                        .register(registry);
                return ref;
            });
        }
    }

    /** The bytes of a cache's entries, NaN once it is gone or cannot be listed. */
    private static double sizeOf(WeakReference<Memory> ref) {
        Memory memory = ref.get();
        if (memory == null) {
            return Double.NaN;
        }
        try {
            long total = 0;
            for (CacheEntry e : memory.entries()) {
                total += e.sizeBytes();
            }
            return total;
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }
}
