package io.joblib4j.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.multiprocessing.JvmProcess;
import io.joblib4j.multiprocessing.ProcessLock;
import io.joblib4j.multiprocessing.ProcessQueue;
import io.joblib4j.multiprocessing.SharedLong;
import io.joblib4j.process.ProcessPool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The examples of README.md and docs/multiprocessing.md, run as tests on real JVMs. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MultiprocessingDocExamplesTest {

    @Test
    void readme_multiprocessing() throws Exception {
        // region readme-multiprocessing
        // Python: q = Queue(); p = Process(target=f, args=(q,)); p.start(); print(q.get()); p.join()
        ProcessQueue<String> results = ProcessQueue.create();
        JvmProcess p = new JvmProcess(() ->
                results.add("hello from process " + ProcessHandle.current().pid()));
        p.start();
        String hello = results.take(); // "hello from process 12345"
        p.join();
        int code = p.exitCode(); // 0; 1 if run() threw, -9 if killed, as in Python
        // endregion
        assertThat(hello).startsWith("hello from process ").endsWith(Long.toString(p.pid()));
        assertThat(code).isZero();
        results.close();
    }

    /** A session of a library that must be opened in the process that uses it (a GPU context, say). */
    record Session(long pid) {
        static Session open() {
            return new Session(ProcessHandle.current().pid());
        }

        String run(String input) {
            return input + " (session of " + pid + ")";
        }
    }

    static Session session;

    static String hello(String name) {
        return session.run("hello " + name);
    }

    @Test
    void producerConsumer_sessionPerProcess() throws Exception {
        // region mp-producer-consumer
        ProcessQueue<String> tasks = ProcessQueue.create();
        ProcessQueue<String> done = ProcessQueue.create();
        JvmProcess worker = new JvmProcess(() -> {
            Session session = Session.open(); // opened in the child, once
            try {
                while (true) {
                    String name = tasks.take();
                    done.put(session.run("hello " + name));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        worker.start();
        tasks.put("Alice");
        tasks.put("Bob");
        List<String> answers = List.of(done.take(), done.take());
        worker.terminate();
        worker.join();
        // endregion
        assertThat(answers).hasSize(2).allMatch(a -> a.contains("session of " + worker.pid()));
        assertThat(worker.exitCode()).isEqualTo(-15);

        // region mp-pool-initializer
        try (ProcessPool pool = ProcessPool.builder()
                .workers(2)
                .initializer(() -> session = Session.open()) // once per worker
                .build()) {
            List<String> greetings = pool.map(MultiprocessingDocExamplesTest::hello, List.of("Alice", "Bob"));
            greetings.forEach(System.out::println);
        }
        // endregion
        tasks.close();
        done.close();
    }

    static int square(int x) {
        return x * x;
    }

    @Test
    void pool_mapImapUnordered_lockAndCounter() throws Exception {
        // region mp-pool
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            List<Integer> squares = pool.map(MultiprocessingDocExamplesTest::square, List.of(0, 1, 2, 3, 4));
            // [0, 1, 4, 9, 16]
            try (Stream<Integer> inOrder = pool.imap(MultiprocessingDocExamplesTest::square, List.of(0, 1, 2, 3, 4))) {
                inOrder.forEach(System.out::println); // 0 1 4 9 16, each as soon as it is ready
            }
            int n = 20;
            int[] done = {0};
            try (Stream<Integer> any = pool.imapUnordered(MultiprocessingDocExamplesTest::square, range(n))) {
                any.forEach(r -> System.err.print("\rdone " + ++done[0] + "/" + n));
            }
            int answer = pool.applyAsync(() -> square(6) + 6).get(); // 42
            // endregion
            assertThat(squares).containsExactly(0, 1, 4, 9, 16);
            assertThat(done[0]).isEqualTo(n);
            assertThat(answer).isEqualTo(42);
        }

        // region mp-lock-counter
        SharedLong counter = SharedLong.create(0); // lock-free, in shared memory
        ProcessLock lock = ProcessLock.create(); // released if its holder dies
        List<JvmProcess> ps = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ps.add(new JvmProcess(() -> {
                for (int k = 0; k < 100_000; k++) {
                    counter.incrementAndGet();
                }
                lock.lock();
                try {
                    System.out.println("process " + ProcessHandle.current().pid() + " has the lock");
                } finally {
                    lock.unlock();
                }
            }));
        }
        for (JvmProcess p : ps) {
            p.start();
        }
        for (JvmProcess p : ps) {
            p.join();
        }
        long total = counter.get(); // 200000, exactly
        // endregion
        assertThat(total).isEqualTo(200_000);
        counter.close();
        lock.close();
    }

    static List<Integer> range(int n) {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(i);
        }
        return l;
    }
}
