package io.joblib4j.memory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A separate JVM used by {@link ReliabilityTest}: {@code hammer DIR ITERATIONS} runs 8 threads calling one cached
 * function on 16 keys (and now and then evicting), checking every value; {@code store DIR N} stores one large result (compressed, so that the write is slow).
 */
public final class ReliabilityChild {
    static final int KEYS = 16;

    private ReliabilityChild() {}

    /** A deterministic result of a few hundred KB, different for every key. */
    static long[] payload(int k) {
        long[] v = new long[20_000 + k * 1_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = k * 1_000_003L + i;
        }
        return v;
    }

    static boolean valid(int k, long[] v) {
        if (v == null || v.length != 20_000 + k * 1_000) {
            return false;
        }
        for (int i = 0; i < v.length; i++) {
            if (v[i] != k * 1_000_003L + i) {
                return false;
            }
        }
        return true;
    }

    /** A large deterministic result. */
    static long[] large(int n) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = i * 31L;
        }
        return v;
    }

    /** Runs 8 threads hammering the cache; returns the number of wrong values seen. */
    static int hammer(Path dir, int iterations) throws InterruptedException {
        Memory memory = Memory.builder().location(dir).verbose(0).build();
        CachedFunction<Integer, long[]> f = memory.cache(ReliabilityChild::payload);
        AtomicInteger wrong = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                for (int i = 0; i < iterations; i++) {
                    int k = rnd.nextInt(KEYS);
                    if (!valid(k, f.apply(k))) {
                        wrong.incrementAndGet();
                        System.err.println("WRONG VALUE for key " + k);
                    }
                    if (rnd.nextInt(64) == 0) {
                        memory.reduceSize(null, KEYS / 2, null);
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return wrong.get();
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        switch (args[0]) {
            case "hammer" -> {
                int wrong = hammer(dir, Integer.parseInt(args[2]));
                System.out.println(wrong == 0 ? "DONE" : "WRONG " + wrong);
                System.exit(wrong == 0 ? 0 : 2);
            }
            case "store" -> {
                // zlib makes the write take seconds rather than a fraction of one: a wide window for the kill
                Memory memory = Memory.builder()
                        .location(dir)
                        .verbose(0)
                        .compression(io.joblib4j.persist.Compression.zlib(6))
                        .build();
                memory.cache(ReliabilityChild::large).apply(Integer.parseInt(args[2]));
                System.out.println("STORED");
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }
}
