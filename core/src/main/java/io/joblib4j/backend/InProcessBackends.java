package io.joblib4j.backend;

import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/** The backends that run tasks in this JVM: sequential, platform threads and virtual threads. */
final class InProcessBackends {
    static final Backend SEQUENTIAL = new Sequential();
    static final Backend THREADS = new Pooled("threads", "ThreadingBackend", false);
    static final Backend VIRTUAL = new Pooled("virtual", "VirtualThreadBackend", true);

    private InProcessBackends() {}

    /**
     * Runs the spec's initializer first if {@code initialize} (a worker's first batch), then the batch, and reports
     * the batch's result once (a timeout may have reported it already). An initializer that throws fails the batch
     * and runs again before the worker's next one.
     *
     * @return whether the worker is initialized now
     */
    static boolean runAndReport(
            Batch batch,
            WorkerSpec spec,
            BatchListener listener,
            AtomicBoolean reported,
            String worker,
            boolean initialize) {
        boolean initialized = false;
        BatchResult result;
        try {
            if (initialize && spec.initializer() != null) {
                spec.initializer().run();
            }
            initialized = true;
            result = run(batch, spec, listener, reported, worker);
        } catch (Throwable t) {
            result = BatchResult.failure(batch, java.util.List.of(), t, worker, 0);
        }
        if (reported.compareAndSet(false, true)) {
            listener.done(result);
        }
        return initialized;
    }

    /** Runs a batch in this thread, with the spec's per-task timeout if it has one. */
    static BatchResult run(
            Batch batch, WorkerSpec spec, BatchListener listener, AtomicBoolean reported, String worker) {
        if (spec.timeout() == null) {
            return batch.runAll(worker);
        }
        try (TimeoutWatch watch = new TimeoutWatch(batch, spec.timeout(), reported, listener, worker)) {
            return batch.runAll(worker, watch);
        }
    }

    /** Runs each batch in the thread that submits it. */
    private static final class Sequential implements Backend {
        @Override
        public String name() {
            return "sequential";
        }

        @Override
        public String displayName() {
            return "SequentialBackend";
        }

        @Override
        public boolean sharedMemory() {
            return true;
        }

        @Override
        public int effectiveNJobs(int nJobs) {
            return 1;
        }

        @Override
        public Nested nested() {
            return new Nested("sequential", 1);
        }

        @Override
        public Workers open(WorkerSpec spec) {
            return new Workers() {
                private boolean initialized;

                @Override
                public int size() {
                    return 1;
                }

                @Override
                public void submit(Batch batch, BatchListener listener) {
                    String worker = Thread.currentThread().getName();
                    initialized |= runAndReport(batch, spec, listener, new AtomicBoolean(), worker, !initialized);
                }

                @Override
                public void abort() {
                    // Nothing runs outside the submitting thread.
                }

                @Override
                public void close() {}
            };
        }

        @Override
        public String toString() {
            return name();
        }
    }

    /** A fixed pool of platform or virtual threads, one batch per thread at a time. */
    private static final class Pooled implements Backend {
        private static final AtomicInteger POOLS = new AtomicInteger();
        private final String name;
        private final String displayName;
        private final boolean virtual;

        Pooled(String name, String displayName, boolean virtual) {
            this.name = name;
            this.displayName = displayName;
            this.virtual = virtual;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String displayName() {
            return displayName;
        }

        @Override
        public boolean sharedMemory() {
            return true;
        }

        @Override
        public Nested nested() {
            return new Nested("sequential", 1);
        }

        @Override
        public double minBatchSeconds() {
            return 0.01;
        }

        @Override
        public Workers open(WorkerSpec spec) {
            return new PoolWorkers(spec, "joblib4j-" + name + "-" + POOLS.incrementAndGet() + "-worker-", virtual);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Daemon platform threads, or virtual threads, named {@code prefix1, prefix2, ...}. */
    private static final class NamedThreads implements ThreadFactory {
        private final String prefix;
        private final boolean virtual;
        private final AtomicInteger count = new AtomicInteger();

        NamedThreads(String prefix, boolean virtual) {
            this.prefix = prefix;
            this.virtual = virtual;
        }

        @Override
        public Thread newThread(Runnable r) {
            String name = prefix + count.incrementAndGet();
            if (virtual) {
                return Thread.ofVirtual().name(name).unstarted(r);
            }
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        }
    }

    /**
     * Idle platform threads shared by the pools of the threads backend that have no initializer: a call on a new
     * {@code Parallel} borrows them instead of starting threads of its own (starting two threads costs more than a
     * small call's tasks). A thread not used for 60 s ends, so nothing is kept alive by pools that are never closed.
     */
    private static final class SharedThreads {
        static final ThreadPoolExecutor EXECUTOR = new ThreadPoolExecutor(
                0,
                Integer.MAX_VALUE,
                60,
                TimeUnit.SECONDS,
                new SynchronousQueue<>(),
                new NamedThreads("joblib4j-threads-idle-", false));

        private SharedThreads() {}
    }

    private static final class PoolWorkers implements Workers {
        private final WorkerSpec spec;
        private final String threadPrefix;
        /**
         * The pool's own threads, when its workers must keep their threads (an initializer sets up per-thread state
         * for the tasks that follow) or run on virtual threads; null when the pool borrows shared threads.
         */
        private final @Nullable ThreadPoolExecutor executor;

        private final Set<Job> running = ConcurrentHashMap.newKeySet();
        private final ThreadLocal<Boolean> initialized = new ThreadLocal<>();
        /** Shared-thread pools: batches waiting for a worker, and the workers (numbered from 1) not active now. */
        private final ArrayDeque<Job> queue = new ArrayDeque<>();

        private final ArrayDeque<Integer> freeWorkers = new ArrayDeque<>();
        /** The context class loader of the thread that opened the pool, as threads started by it would have had. */
        private final @Nullable ClassLoader contextLoader =
                Thread.currentThread().getContextClassLoader();

        private boolean closed;

        PoolWorkers(WorkerSpec spec, String threadPrefix, boolean virtual) {
            this.spec = spec;
            this.threadPrefix = threadPrefix;
            if (virtual || spec.initializer() != null) {
                ThreadFactory factory = new NamedThreads(threadPrefix, virtual);
                ThreadPoolExecutor own = new ThreadPoolExecutor(
                        spec.nJobs(), spec.nJobs(), 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), factory);
                // Idle workers end by themselves, so a Parallel that is never closed does not keep threads alive.
                own.allowCoreThreadTimeOut(true);
                this.executor = own;
            } else {
                this.executor = null;
                for (int i = 1; i <= spec.nJobs(); i++) {
                    freeWorkers.addLast(i);
                }
            }
        }

        @Override
        public int size() {
            return spec.nJobs();
        }

        @Override
        public void submit(Batch batch, BatchListener listener) {
            Job job = new Job(batch, listener);
            running.add(job);
            ThreadPoolExecutor own = executor;
            if (own != null) {
                own.execute(job);
                return;
            }
            Integer worker;
            synchronized (this) {
                if (closed) {
                    running.remove(job);
                    throw new RejectedExecutionException("these workers have been closed");
                }
                queue.addLast(job);
                worker = freeWorkers.pollFirst();
            }
            if (worker != null) {
                int w = worker;
                try {
                    SharedThreads.EXECUTOR.execute(new Drain(w));
                } catch (RejectedExecutionException e) {
                    synchronized (this) {
                        freeWorkers.addFirst(w);
                        queue.remove(job);
                    }
                    running.remove(job);
                    throw e;
                }
            }
        }

        /** {@link #drain} of one worker slot, as a class: no lambda for the threads of a first call to link. */
        private final class Drain implements Runnable {
            private final int worker;

            Drain(int worker) {
                this.worker = worker;
            }

            @Override
            public void run() {
                drain(worker);
            }
        }

        /** Worker {@code w} on a borrowed thread: runs queued batches until none is left, then gives the thread back. */
        private void drain(int w) {
            Thread thread = Thread.currentThread();
            String idleName = thread.getName();
            ClassLoader idleLoader = thread.getContextClassLoader();
            thread.setName(threadPrefix + w);
            thread.setContextClassLoader(contextLoader);
            boolean freed = false;
            try {
                while (true) {
                    Job job;
                    synchronized (this) {
                        job = queue.pollFirst();
                        if (job == null) {
                            freeWorkers.addFirst(w);
                            freed = true;
                            return;
                        }
                    }
                    job.run();
                }
            } finally {
                if (!freed) {
                    synchronized (this) {
                        freeWorkers.addFirst(w);
                    }
                }
                thread.setContextClassLoader(idleLoader);
                thread.setName(idleName);
            }
        }

        /** One batch on the pool: interrupting its thread is how an abort stops it. */
        private final class Job implements Runnable {
            private final Batch batch;
            private final BatchListener listener;
            private final AtomicBoolean reported = new AtomicBoolean();
            private @Nullable Thread runner;
            private boolean cancelled;

            Job(Batch batch, BatchListener listener) {
                this.batch = batch;
                this.listener = listener;
            }

            @Override
            public void run() {
                synchronized (this) {
                    if (cancelled) {
                        return;
                    }
                    runner = Thread.currentThread();
                }
                try {
                    PoolWorkers.this.run(batch, listener, reported);
                } finally {
                    synchronized (this) {
                        runner = null;
                        // An abort's interrupt that arrived after the batch ended must not reach the next one.
                        Thread.interrupted();
                    }
                    running.remove(this);
                }
            }

            synchronized void cancel() {
                cancelled = true;
                if (runner != null) {
                    runner.interrupt();
                }
            }
        }

        private void run(Batch batch, BatchListener listener, AtomicBoolean reported) {
            String worker = Thread.currentThread().getName();
            if (executor == null) {
                runAndReport(batch, spec, listener, reported, worker, false); // no initializer
            } else if (runAndReport(batch, spec, listener, reported, worker, initialized.get() == null)) {
                initialized.set(Boolean.TRUE);
            }
        }

        @Override
        public void abort() {
            ThreadPoolExecutor own = executor;
            if (own != null) {
                own.getQueue().clear();
            } else {
                synchronized (this) {
                    queue.clear();
                }
            }
            for (Job job : running) {
                job.cancel();
            }
            running.clear();
        }

        @Override
        public void close() {
            synchronized (this) {
                closed = true;
            }
            abort();
            ThreadPoolExecutor own = executor;
            if (own != null) {
                own.shutdownNow();
            }
        }
    }
}
