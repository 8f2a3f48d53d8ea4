package com.example.backend;

// region spi-example
import io.joblib4j.backend.Backend;
import io.joblib4j.backend.Batch;
import io.joblib4j.backend.BatchListener;
import io.joblib4j.backend.BatchResult;
import io.joblib4j.backend.Failures;
import io.joblib4j.backend.WorkerSpec;
import io.joblib4j.backend.Workers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** A backend written from joblib4j's exported packages alone: batches run on a fixed pool of platform threads. */
public final class PoolBackend implements Backend {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pool-backend-timer");
        t.setDaemon(true);
        return t;
    });

    @Override
    public String name() {
        return "pool";
    }

    @Override
    public boolean sharedMemory() {
        return true; // tasks run in this JVM
    }

    @Override
    public double minBatchSeconds() {
        return 0.01; // handing a batch to a thread costs microseconds
    }

    @Override
    public Nested nested() {
        return new Nested("sequential", 1); // calls made inside a task run in the task's thread
    }

    @Override
    public Workers open(WorkerSpec spec) {
        return new PoolWorkers(spec);
    }

    private static final class PoolWorkers implements Workers {
        private final WorkerSpec spec;
        private final ExecutorService pool;
        private final Set<FutureTask<Void>> running = ConcurrentHashMap.newKeySet();

        PoolWorkers(WorkerSpec spec) {
            this.spec = spec;
            this.pool = Executors.newFixedThreadPool(spec.nJobs(), r -> {
                Thread t = new Thread(r, "pool-backend-worker");
                t.setDaemon(true);
                return t;
            });
        }

        @Override
        public int size() {
            return spec.nJobs();
        }

        @Override
        public void submit(Batch batch, BatchListener listener) {
            AtomicBoolean reported = new AtomicBoolean(); // a timeout and the batch's end race: report once
            FutureTask<Void> job =
                    new FutureTask<>(
                            () -> {
                                Runnable init = spec.initializer();
                                if (init != null) {
                                    Initialized.once(init);
                                }
                                String worker = Thread.currentThread().getName();
                                BatchResult result =
                                        batch.runAll(worker, timeoutWatch(batch, listener, reported, worker));
                                if (reported.compareAndSet(false, true)) {
                                    listener.done(result);
                                }
                                Thread.interrupted(); // an abort's late interrupt must not reach the next batch
                            },
                            null) {
                        @Override
                        protected void done() {
                            running.remove(this);
                        }
                    };
            running.add(job);
            pool.execute(job);
        }

        /** Per-task timeout: a task still running after {@code spec.timeout()} fails its batch and is interrupted. */
        private Batch.TaskWatch timeoutWatch(
                Batch batch, BatchListener listener, AtomicBoolean reported, String worker) {
            Duration timeout = spec.timeout();
            if (timeout == null) {
                return null;
            }
            Thread thread = Thread.currentThread();
            return new Batch.TaskWatch() {
                private java.util.concurrent.ScheduledFuture<?> alarm;

                @Override
                public void started(int indexInBatch, List<Object> valuesSoFar) {
                    List<Object> before = new ArrayList<>(valuesSoFar); // values may be null
                    alarm = TIMER.schedule(
                            () -> {
                                if (reported.compareAndSet(false, true)) {
                                    listener.done(BatchResult.failure(
                                            batch, before, new Failures.Timeout(timeout), worker, 0));
                                    thread.interrupt();
                                }
                            },
                            timeout.toNanos(),
                            TimeUnit.NANOSECONDS);
                }

                @Override
                public void finished(int indexInBatch) {
                    alarm.cancel(false);
                }
            };
        }

        @Override
        public void abort() {
            for (FutureTask<Void> f : running) {
                f.cancel(true); // interrupts the batch's thread; queued batches never start
            }
        }

        @Override
        public void close() {
            pool.shutdownNow();
        }
    }

    /** Runs each initializer once per worker thread. */
    private static final class Initialized {
        private static final ThreadLocal<Set<Runnable>> DONE = ThreadLocal.withInitial(java.util.HashSet::new);

        static void once(Runnable init) {
            if (DONE.get().add(init)) {
                init.run();
            }
        }
    }
}
// endregion
