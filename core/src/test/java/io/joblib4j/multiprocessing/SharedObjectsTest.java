package io.joblib4j.multiprocessing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.joblib4j.array.DType;
import io.joblib4j.array.NdArray;
import io.joblib4j.internal.TempFolders;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Queues, pipes, locks, shared values and maps across real child JVMs. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SharedObjectsTest {
    private final List<JvmProcess> started = new ArrayList<>();

    private JvmProcess start(JvmProcess p) {
        started.add(p);
        p.start();
        return p;
    }

    @AfterEach
    void nothingLeft() throws InterruptedException {
        for (JvmProcess p : started) {
            if (p.isAlive()) {
                p.kill();
            }
            assertThat(p.join(Duration.ofSeconds(30))).as("%s ended", p).isTrue();
        }
        for (JvmProcess p : started) {
            // a child's shared-memory and hub folders go with it: at its exit, or collected after a kill
            TempFolders.collectLeftovers(TempFolders.defaultBase());
            assertThat(leftoversOf(p.pid())).as("folders of %s", p).isEmpty();
        }
    }

    static List<Path> leftoversOf(long pid) {
        try (Stream<Path> s = Files.list(TempFolders.defaultBase())) {
            return s.filter(f -> f.getFileName().toString().startsWith("joblib4j-" + pid + "-"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void uncheckedSend(Connection c, Object o) {
        try {
            c.send(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void queue_fourProducersFourConsumers_everyItemOnceInProducerOrder() throws Exception {
        int producers = 4;
        int consumers = 4;
        int perProducer = 25_000;
        ProcessQueue<Long> q = ProcessQueue.create();
        ProcessQueue<long[]> results = ProcessQueue.create();
        for (int p = 0; p < producers; p++) {
            long base = p * 1_000_000L;
            start(new JvmProcess(() -> {
                for (int i = 0; i < perProducer; i++) {
                    q.add(base + i);
                }
            }));
        }
        for (int c = 0; c < consumers; c++) {
            start(new JvmProcess(() -> {
                List<Long> got = new ArrayList<>();
                try {
                    // take one (waiting), then whatever else is there, up to 255 more, in one round trip
                    List<Long> batch = new ArrayList<>();
                    boolean done = false;
                    while (!done) {
                        batch.clear();
                        batch.add(q.take());
                        q.drainTo(batch, 255);
                        for (Long v : batch) {
                            if (v < 0) {
                                done = true;
                                q.addAll(batch.subList(batch.indexOf(v) + 1, batch.size()));
                                break;
                            }
                            got.add(v);
                        }
                    }
                    results.put(got.stream().mapToLong(Long::longValue).toArray());
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (int p = 0; p < producers; p++) {
            started.get(p).join();
            assertThat(started.get(p).exitCode()).isZero();
        }
        for (int c = 0; c < consumers; c++) {
            q.put(-1L);
        }
        long[] seen = new long[producers * perProducer];
        for (int c = 0; c < consumers; c++) {
            long[] got = results.poll(120, TimeUnit.SECONDS);
            assertThat(got).as("results of consumer %s", c).isNotNull();
            long[] last = {-1, -1, -1, -1};
            for (long v : got) {
                int producer = (int) (v / 1_000_000L);
                int i = (int) (v % 1_000_000L);
                assertThat(i).as("FIFO per producer").isGreaterThan((int) last[producer]);
                last[producer] = i;
                seen[producer * perProducer + i]++;
            }
        }
        assertThat(seen).containsOnly(1);
        assertThat(q.size()).isZero();
        q.close();
        results.close();
    }

    @Test
    void queue_itemsStreamedByAProducer_arriveBeforeItsNextCall() throws Exception {
        int n = 50_000;
        ProcessQueue<Integer> q = ProcessQueue.create();
        ProcessEvent put = ProcessEvent.create();
        ProcessEvent release = ProcessEvent.create();
        JvmProcess producer = start(new JvmProcess(() -> {
            for (int i = 0; i < n; i++) {
                q.add(i);
            }
            put.set(); // a call after the puts: they reach the owner before it
            try {
                if (!release.await(Duration.ofMinutes(2))) {
                    throw new IllegalStateException("not released");
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }));
        assertThat(put.await(Duration.ofMinutes(2))).isTrue();
        assertThat(q.size())
                .as("items in the queue when the producer's next call arrived")
                .isEqualTo(n);
        List<Integer> got = new ArrayList<>();
        q.drainTo(got);
        assertThat(got).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(got.get(i)).isEqualTo(i);
        }
        release.set();
        producer.join();
        assertThat(producer.exitCode()).isZero();
        q.close();
    }

    @Test
    void queue_putsToTwoQueuesInterleavedWithCalls_eachGetsItsOwnItemsInOrder() throws Exception {
        // runs of puts to one queue travel as one request; a put to another queue or a call ends the run
        int n = 20_000;
        ProcessQueue<Object> a = ProcessQueue.create();
        ProcessQueue<Object> b = ProcessQueue.create();
        JvmProcess producer = start(new JvmProcess(() -> {
            for (int i = 0; i < n; i++) {
                Object v = switch (i % 4) {
                    case 0 -> i;
                    case 1 -> (long) i;
                    case 2 -> (double) i;
                    default -> "s" + i;
                };
                ((i / 3) % 2 == 0 ? a : b).add(v); // runs of three puts to each queue in turn
                if (i % 1_000 == 999) {
                    var unused = a.size(); // a call that waits for its answer
                }
            }
            a.add("end");
            b.add("end");
        }));
        for (ProcessQueue<Object> q : List.of(a, b)) {
            List<Object> got = new ArrayList<>();
            for (Object v = q.take(); !"end".equals(v); v = q.take()) {
                got.add(v);
            }
            List<Object> expected = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (((i / 3) % 2 == 0) == (q == a)) {
                    expected.add(
                            switch (i % 4) {
                                case 0 -> i;
                                case 1 -> (long) i;
                                case 2 -> (double) i;
                                default -> "s" + i;
                            });
                }
            }
            assertThat(got).as("items of %s", q).isEqualTo(expected);
        }
        producer.join();
        assertThat(producer.exitCode()).isZero();
        a.close();
        b.close();
    }

    @Test
    void queue_inItsOwner_pollTimesOut_andCallsAfterCloseFail() throws Exception {
        ProcessQueue<Long> q = ProcessQueue.create();
        assertThat(q.poll()).isNull();
        long t0 = System.nanoTime();
        assertThat(q.poll(50, TimeUnit.MILLISECONDS)).isNull();
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        q.put(Long.MIN_VALUE);
        q.put(Long.MAX_VALUE);
        assertThat(q.take()).isEqualTo(Long.MIN_VALUE);
        assertThat(q.poll(1, TimeUnit.SECONDS)).isEqualTo(Long.MAX_VALUE);
        CompletableFuture<Throwable> blocked = CompletableFuture.supplyAsync(() -> {
            try {
                q.take();
                return new AssertionError("took from an empty queue");
            } catch (RuntimeException | InterruptedException e) {
                return e;
            }
        });
        Thread.sleep(100); // most likely waiting by now; if not, its take finds the queue closed
        q.close();
        assertThat(blocked.get(30, TimeUnit.SECONDS)).isInstanceOf(SharedObjectGoneException.class);
        assertThatThrownBy(q::take).isInstanceOf(SharedObjectGoneException.class);
        assertThatThrownBy(q::poll).isInstanceOf(SharedObjectGoneException.class);
    }

    @Test
    void boundedQueue_blocksItsProducer_untilAConsumerTakes() throws Exception {
        ProcessQueue<Integer> q = ProcessQueue.create(2);
        assertThat(q.offer(1)).isTrue();
        assertThat(q.offer(2)).isTrue();
        assertThat(q.offer(3)).isFalse();
        assertThat(q.offer(3, 100, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(q.remainingCapacity()).isZero();
        // a producer process blocks in put until the parent takes
        ProcessEvent putting = ProcessEvent.create();
        JvmProcess producer = start(new JvmProcess(() -> {
            try {
                putting.set();
                q.put(3);
                q.put(4);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }));
        assertThat(putting.await(Duration.ofSeconds(60))).isTrue();
        assertThat(producer.join(Duration.ofMillis(200))).as("blocked in put").isFalse();
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            got.add(q.poll(60, TimeUnit.SECONDS));
        }
        assertThat(got).containsExactly(1, 2, 3, 4);
        producer.join();
        assertThat(producer.exitCode()).isZero();
        assertThatThrownBy(() -> ProcessQueue.create(0)).hasMessageContaining("capacity 0");
        q.close();
    }

    @Test
    void queue_hundredMegabyteItem_travelsThroughSharedMemory() throws Exception {
        ProcessQueue<Object> q = ProcessQueue.create();
        int n = 100 << 20;
        start(new JvmProcess(() -> {
            byte[] big = new byte[n];
            for (int i = 0; i < n; i += 4096) {
                big[i] = (byte) (i >>> 12);
            }
            q.add(List.of("big", big));
        }));
        @SuppressWarnings("unchecked")
        List<Object> item = (List<Object>) q.poll(120, TimeUnit.SECONDS);
        assertThat(item).isNotNull();
        byte[] big = (byte[]) item.get(1);
        assertThat(big).hasSize(n);
        for (int i = 0; i < n; i += 4096) {
            assertThat(big[i]).isEqualTo((byte) (i >>> 12));
        }
        q.close();
    }

    @Test
    void ownerDies_blockedTakeFailsAtOnce() throws Exception {
        ProcessQueue<ProcessQueue<String>> handoff = ProcessQueue.create();
        JvmProcess owner = start(new JvmProcess(() -> {
            ProcessQueue<String> own = ProcessQueue.create();
            handoff.add(own);
            JvmProcessTest.sleepLong();
        }));
        ProcessQueue<String> childs = handoff.poll(60, TimeUnit.SECONDS);
        assertThat(childs).isNotNull();
        assertThat(childs.poll()).isNull();
        CompletableFuture<Throwable> blocked = CompletableFuture.supplyAsync(() -> {
            try {
                childs.take();
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        owner.kill();
        Throwable t = blocked.get(30, TimeUnit.SECONDS);
        assertThat(t).isInstanceOf(SharedObjectGoneException.class).hasMessageContaining("exited");
        assertThatThrownBy(childs::size).isInstanceOf(SharedObjectGoneException.class);
        handoff.close();
    }

    @Test
    void pipe_roundTrips_andRecvReachesEofWhenThePeerDies() throws Exception {
        Pipe pipe = Pipe.open();
        Connection child = pipe.right();
        JvmProcess echo = start(new JvmProcess(() -> {
            try {
                while (true) {
                    Object m = child.recv();
                    child.send("echo " + m);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
        Connection parent = pipe.left();
        assertThat(parent.poll(Duration.ZERO)).isFalse();
        for (int i = 0; i < 20; i++) {
            parent.send(i);
            assertThat(parent.recv()).isEqualTo("echo " + i);
        }
        echo.kill();
        assertThatThrownBy(parent::recv).isInstanceOf(EOFException.class);
        assertThat(echo.join(Duration.ofSeconds(30))).isTrue();

        Pipe oneWay = Pipe.open(false);
        Connection sender = oneWay.right();
        JvmProcess writer = start(new JvmProcess(() -> {
            uncheckedSend(sender, "one");
            uncheckedSend(sender, "two");
            sender.close();
        }));
        assertThat(oneWay.left().recv()).isEqualTo("one");
        assertThat(oneWay.left().recv()).isEqualTo("two");
        assertThatThrownBy(() -> oneWay.left().recv()).isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> oneWay.left().send("x")).isInstanceOf(IOException.class);
        writer.join();
    }

    @Test
    void pipe_anInterruptedRecvLeavesItUsable_andTwoChildrenTalkThroughTheOwner() throws Exception {
        Pipe pipe = Pipe.open();
        Connection childEnd = pipe.right();
        ProcessEvent go = ProcessEvent.create();
        JvmProcess late = start(new JvmProcess(() -> {
            try {
                go.await();
                childEnd.send("after");
            } catch (InterruptedException | IOException e) {
                throw new IllegalStateException(e);
            }
        }));
        CompletableFuture<Throwable> waiting = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                pipe.left().recv();
                waiting.complete(null);
            } catch (Throwable t) {
                waiting.complete(t);
            }
        });
        reader.start();
        reader.interrupt();
        assertThat(waiting.get(30, TimeUnit.SECONDS)).isInstanceOf(java.io.InterruptedIOException.class);
        go.set();
        assertThat(pipe.left().recv()).isEqualTo("after");
        assertThat(late.join(Duration.ofSeconds(60))).isTrue();
        assertThatThrownBy(() -> pipe.left().recv()).isInstanceOf(EOFException.class);

        // both ends in children: the owner relays
        Pipe between = Pipe.open();
        Connection a = between.left();
        Connection b = between.right();
        ProcessQueue<String> answers = ProcessQueue.create();
        start(new JvmProcess(() -> {
            try {
                Object m = b.recv();
                b.send("pong " + m);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
        start(new JvmProcess(() -> {
            try {
                a.send("ping");
                answers.add((String) a.recv());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
        assertThat(answers.poll(60, TimeUnit.SECONDS)).isEqualTo("pong ping");
        go.close();
        answers.close();
    }

    @Test
    void lock_heldByAKilledProcess_isReleased() throws Exception {
        ProcessLock lock = ProcessLock.create();
        ProcessEvent holding = ProcessEvent.create();
        JvmProcess holder = start(new JvmProcess(() -> {
            lock.lock();
            holding.set();
            JvmProcessTest.sleepLong();
        }));
        assertThat(holding.await(Duration.ofSeconds(60))).isTrue();
        assertThat(lock.isLocked()).isTrue();
        assertThat(lock.tryLock()).isFalse();
        assertThatThrownBy(lock::unlock).isInstanceOf(IllegalMonitorStateException.class);
        long t0 = System.nanoTime();
        holder.kill();
        assertThat(lock.tryLock(30, TimeUnit.SECONDS)).isTrue();
        long millis = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("lock free " + millis + " ms after its holder was killed");
        lock.lock(); // reentrant
        try {
            assertThat(lock.isLocked()).isTrue();
        } finally {
            lock.unlock();
        }
        lock.unlock();
        assertThat(lock.isLocked()).isFalse();

        ProcessSemaphore sem = ProcessSemaphore.create(1);
        ProcessEvent acquired = ProcessEvent.create();
        JvmProcess permitHolder = start(new JvmProcess(() -> {
            try {
                sem.acquire();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            acquired.set();
            JvmProcessTest.sleepLong();
        }));
        assertThat(acquired.await(Duration.ofSeconds(60))).isTrue();
        assertThat(sem.tryAcquire(Duration.ZERO)).isFalse();
        permitHolder.kill();
        assertThat(sem.tryAcquire(Duration.ofSeconds(30))).isTrue();
        sem.release();
        assertThat(sem.availablePermits()).isEqualTo(1);
        holding.clear();
        assertThat(holding.isSet()).isFalse();
        assertThat(holding.await(Duration.ofMillis(50))).isFalse();
    }

    @Test
    void sharedLong_incrementedByFourProcesses_isExact() throws Exception {
        int n = 1_000_000;
        SharedLong counter = SharedLong.create(0);
        SharedDouble sum = SharedDouble.create(0.5);
        for (int p = 0; p < 4; p++) {
            start(new JvmProcess(() -> {
                for (int i = 0; i < n; i++) {
                    counter.incrementAndGet();
                }
                for (int i = 0; i < 1000; i++) {
                    sum.addAndGet(0.25);
                }
            }));
        }
        for (JvmProcess p : started) {
            p.join();
            assertThat(p.exitCode()).isZero();
        }
        assertThat(counter.get()).isEqualTo(4L * n);
        assertThat(sum.get()).isEqualTo(0.5 + 4 * 1000 * 0.25);
        assertThat(counter.compareAndSet(4L * n, 7)).isTrue();
        assertThat(counter.get()).isEqualTo(7);
        counter.close();
        sum.close();
    }

    @Test
    void sharedMapAndSharedArray_writtenByChildren_seenByTheParent() throws Exception {
        SharedMap<String, Integer> map = SharedMap.create();
        NdArray shared = NdArray.shared(DType.FLOAT64, 3, 4);
        for (int p = 0; p < 3; p++) {
            int k = p;
            start(new JvmProcess(() -> {
                map.put("k" + k, k * k);
                map.merge("total", k, Integer::sum);
                for (int j = 0; j < 4; j++) {
                    shared.setDouble(k * 10 + j, k, j);
                }
            }));
        }
        for (JvmProcess p : started) {
            p.join();
            assertThat(p.exitCode()).isZero();
        }
        Map<String, Integer> expected = new HashMap<>(Map.of("k0", 0, "k1", 1, "k2", 4, "total", 3));
        assertThat(new HashMap<>(map)).isEqualTo(expected);
        assertThat(map.putIfAbsent("k0", 9)).isEqualTo(0);
        assertThat(map.replace("k1", 1, 11)).isTrue();
        assertThat(map.remove("k2")).isEqualTo(4);
        assertThat(map).containsEntry("k1", 11).doesNotContainKey("k2").hasSize(3);
        for (int k = 0; k < 3; k++) {
            for (int j = 0; j < 4; j++) {
                assertThat(shared.getDouble(k, j)).isEqualTo(k * 10 + j);
            }
        }
        map.close();
        assertThatThrownBy(map::size).isInstanceOf(SharedObjectGoneException.class);
    }
}
