package io.joblib4j.cli.demo;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures how much the live heap grows while something runs. A sampler thread collects garbage every
 * {@value #PERIOD_MILLIS} ms and records the heap in use right after: what is really retained, not garbage waiting
 * to be collected. (The forced collections cost a little time, the same for every variant measured.)
 */
public final class HeapMeter implements AutoCloseable {
    static final long PERIOD_MILLIS = 250;

    private final long baseline;
    private final AtomicLong peak = new AtomicLong();
    private final Thread sampler;
    private volatile boolean stop;

    private HeapMeter(long baseline) {
        this.baseline = baseline;
        this.sampler = Thread.ofPlatform().daemon().name("heap-meter").unstarted(this::sample);
    }

    /** Collects garbage, records the live heap as the baseline, and starts sampling. */
    public static HeapMeter start() {
        HeapMeter m = new HeapMeter(liveHeap());
        m.sampler.start();
        return m;
    }

    private void sample() {
        while (!stop) {
            peak.accumulateAndGet(liveHeap(), Math::max);
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The peak growth of the live heap over the baseline so far, in bytes, including what is held now. */
    public long peakGrowth() {
        return Math.max(0, Math.max(liveHeap(), peak.get()) - baseline);
    }

    @Override
    public void close() {
        stop = true;
        sampler.interrupt();
        try {
            sampler.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long liveHeap() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** {@code 2.44 GB}, {@code 190 MB}. */
    public static String format(long bytes) {
        if (bytes >= 1_000_000_000L) {
            return String.format(java.util.Locale.ROOT, "%.2f GB", bytes / 1e9);
        }
        return String.format(java.util.Locale.ROOT, "%.0f MB", bytes / 1e6);
    }
}
