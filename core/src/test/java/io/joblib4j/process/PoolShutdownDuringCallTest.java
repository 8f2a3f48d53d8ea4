package io.joblib4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.parallel.Parallel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A worker lost when no replacement can be started still ends its batch: the call fails, it does not hang. */
class PoolShutdownDuringCallTest {

    static int slow(int i) {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return i;
    }

    @Test
    void poolShutDownWhileACallRuns_theCallFails_insteadOfWaitingForever() throws Exception {
        ProcessPool own = ProcessPool.builder().workers(2).build();
        try (Parallel p = Parallel.builder().nJobs(2).backend(own.backend()).build()) {
            CompletableFuture<Object> call = CompletableFuture.supplyAsync(() -> {
                try {
                    return p.map(
                            PoolShutdownDuringCallTest::slow,
                            IntStream.range(0, 40).boxed().toList());
                } catch (RuntimeException e) {
                    return e;
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (own.workerPids().size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(500); // let batches run
            own.shutdownNow(); // kills the workers; no replacement can start on a shut pool
            Object outcome = call.get(60, TimeUnit.SECONDS);
            assertThat(outcome).as("the call ends with a failure").isInstanceOf(RuntimeException.class);
        } finally {
            own.shutdownNow();
        }
    }
}
