package io.joblib4j.backend;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Enforces a per-task timeout for one batch running in one thread: when a task runs past the timeout, reports the
 * batch as failed with {@link Failures.Timeout} (once, through {@code reported}) and interrupts the thread.
 */
final class TimeoutWatch implements Batch.TaskWatch {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "joblib4j-timeout");
        t.setDaemon(true);
        return t;
    });

    private final Batch batch;
    private final Duration timeout;
    private final AtomicBoolean reported;
    private final BatchListener listener;
    private final String worker;
    private final Thread thread;
    private ScheduledFuture<?> pending;
    private int running = -1;
    private long startNanos;
    private boolean fired;

    TimeoutWatch(Batch batch, Duration timeout, AtomicBoolean reported, BatchListener listener, String worker) {
        this.batch = batch;
        this.timeout = timeout;
        this.reported = reported;
        this.listener = listener;
        this.worker = worker;
        this.thread = Thread.currentThread();
    }

    @Override
    public synchronized void started(int indexInBatch, List<Object> valuesSoFar) {
        running = indexInBatch;
        startNanos = System.nanoTime();
        pending = TIMER.schedule(() -> fire(indexInBatch, valuesSoFar), timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public synchronized void finished(int indexInBatch) {
        running = -1;
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
        if (fired) {
            // The interrupt was meant for the timed-out task; do not let it leak into the pool's next batch.
            Thread.interrupted();
        }
    }

    private synchronized void fire(int indexInBatch, List<Object> valuesSoFar) {
        if (running != indexInBatch || fired) {
            return;
        }
        fired = true;
        if (reported.compareAndSet(false, true)) {
            listener.done(BatchResult.failure(batch, new java.util.ArrayList<>(valuesSoFar), new Failures.Timeout(timeout), worker,
                    System.nanoTime() - startNanos));
        }
        thread.interrupt();
    }
}
