package io.joblib4j.hazelcast;

import com.hazelcast.internal.util.ConcurrencyUtil;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads for Hazelcast's asynchronous callbacks that are reused. Hazelcast completes every future of a client (the
 * deserialization of each executor reply included) on its default asynchronous executor, which is the common
 * {@link ForkJoinPool} when it has more than one thread and otherwise, on a machine with fewer than 3 CPUs, a new
 * thread for every callback: hundreds of thread starts a second on a busy call. Where Hazelcast chose that, this
 * installs a pool with the same behaviour (a thread for every callback that finds none idle, so a callback that
 * blocks never holds up another) whose idle threads are kept for a minute and reused. Hazelcast's choice is left as
 * it is on larger machines, and when something else has installed an executor already.
 */
final class CallbackThreads {
    private CallbackThreads() {}

    private static boolean done;

    static synchronized void install() {
        if (done) {
            return;
        }
        done = true;
        if (ForkJoinPool.getCommonPoolParallelism() > 1) {
            return;
        }
        Executor current = ConcurrencyUtil.getDefaultAsyncExecutor();
        if (current instanceof ForkJoinPool || current instanceof ThreadPoolExecutor) {
            return;
        }
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool =
                new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "hz.joblib4j.async-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        ConcurrencyUtil.setDefaultAsyncExecutor(pool);
    }
}
