package io.joblib4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@code ProcessPool.map} and {@code imap} run each call on a {@code Parallel} made for that call and dropped at
 * once: the garbage collector must not close that Parallel's workers while its call still runs. It did, after a few
 * hundred calls: the cleaner killed both workers mid-call, and the call waited forever.
 */
class PoolCallReachabilityTest {

    static int plusOne(int x) {
        return x + 1;
    }

    @Test
    void manyMapAndImapCalls_whileTheCollectorRuns_allComplete() throws Exception {
        List<Integer> items = IntStream.range(0, 2_000).boxed().toList();
        AtomicBoolean stop = new AtomicBoolean();
        Thread collector = new Thread(() -> {
            while (!stop.get()) {
                System.gc();
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        collector.setDaemon(true);
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            collector.start();
            // Calls for 5 s (at least 60 calls), bounded so that a hang fails the test.
            CompletableFuture<Integer> calls = CompletableFuture.supplyAsync(() -> {
                int done = 0;
                long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (done < 60 || System.nanoTime() < end) {
                    List<Integer> out = done % 2 == 0
                            ? pool.map(PoolCallReachabilityTest::plusOne, items)
                            : pool.imap(PoolCallReachabilityTest::plusOne, items)
                                    .toList();
                    if (out.size() != items.size() || out.getLast() != items.size()) {
                        throw new AssertionError("call " + done + " returned " + out.size() + " values");
                    }
                    done++;
                }
                return done;
            });
            int done = calls.get(300, TimeUnit.SECONDS);
            assertThat(done).isGreaterThanOrEqualTo(60);
        } finally {
            stop.set(true);
            collector.interrupt();
            collector.join();
        }
    }
}
