package io.joblib4j.backend;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Enforces a per-task timeout for one batch running in one thread: when a task runs past the timeout, reports the
 * batch as failed with {@link Failures.Timeout} (once, through {@code reported}) and interrupts the thread.
 *
 * <p>One timer per batch, not per task: the timer looks at the task running when it fires and, if that task is
 * younger than the timeout, sleeps again until it would be due. Starting and finishing a task costs two
 * uncontended lock operations, so timeouts stay cheap for batches of many small tasks.
 */
final class TimeoutWatch implements Batch.TaskWatch, AutoCloseable {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "joblib4j-timeout");
        t.setDaemon(true);
        return t;
    });

    private final Batch batch;
    private final long timeoutNanos;
    private final Duration timeout;
    private final AtomicBoolean reported;
    private final BatchListener listener;
    private final String worker;
    private final Thread thread;
    private @Nullable List<@Nullable Object> valuesSoFar;
    private int running = -1;
    private long startNanos;
    private boolean scheduled;
    /** The next check; cancelled when the batch ends, so the timer does not hold on to finished batches. */
    private @Nullable ScheduledFuture<?> nextCheck;

    private boolean fired;
    private boolean closed;

    TimeoutWatch(Batch batch, Duration timeout, AtomicBoolean reported, BatchListener listener, String worker) {
        this.batch = batch;
        this.timeout = timeout;
        this.timeoutNanos = timeout.toNanos();
        this.reported = reported;
        this.listener = listener;
        this.worker = worker;
        this.thread = Thread.currentThread();
    }

    @Override
    public synchronized void started(int indexInBatch, List<@Nullable Object> values) {
        running = indexInBatch;
        valuesSoFar = values;
        startNanos = System.nanoTime();
        if (!scheduled) {
            scheduled = true;
            nextCheck = TIMER.schedule(this::check, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public synchronized void finished(int indexInBatch) {
        running = -1;
        if (fired) {
            // The interrupt was meant for the timed-out task; do not let it leak into the pool's next batch.
            Thread.interrupted();
        }
    }

    /** The batch is over: the timer stops. */
    @Override
    public synchronized void close() {
        closed = true;
        ScheduledFuture<?> next = nextCheck;
        if (next != null) {
            next.cancel(false);
            nextCheck = null;
        }
        if (fired) {
            Thread.interrupted();
        }
    }

    private synchronized void check() {
        if (fired || closed) {
            return;
        }
        long wait = timeoutNanos;
        if (running >= 0) {
            long age = System.nanoTime() - startNanos;
            if (age >= timeoutNanos) {
                fire();
                return;
            }
            wait = timeoutNanos - age;
        }
        nextCheck = TIMER.schedule(this::check, wait, TimeUnit.NANOSECONDS);
    }

    private void fire() {
        fired = true;
        if (reported.compareAndSet(false, true)) {
            listener.done(BatchResult.failure(
                    batch,
                    new ArrayList<>(valuesSoFar),
                    new Failures.Timeout(timeout),
                    worker,
                    System.nanoTime() - startNanos));
        }
        thread.interrupt();
    }
}
