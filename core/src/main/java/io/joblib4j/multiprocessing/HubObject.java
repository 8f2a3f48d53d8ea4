package io.joblib4j.multiprocessing;

import io.joblib4j.internal.process.Codec;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A shared object as its hub holds it. Each kind answers the requests of its public class; a request that may wait
 * runs in a virtual thread of its own ({@link #blocks}) and waits on this object's lock and conditions, with the
 * timeout of the request ({@code a}: nanoseconds, 0 for no wait, negative for no limit).
 */
abstract class HubObject {
    /** What a request is answered with; {@code undo} puts back what it handed out if the answer cannot be sent. */
    @SuppressWarnings("ArrayRecordComponent") // a reply on its way out: never compared or hashed
    record Result(
            byte status, long n, byte[][] blobs, @Nullable Runnable undo) {
        static Result of(byte status) {
            return new Result(status, 0, Wire.NONE, null);
        }

        static Result ok(long n) {
            return new Result(Wire.OK, n, Wire.NONE, null);
        }

        static Result ok(byte[] blob, Runnable undo) {
            return new Result(Wire.OK, 0, new byte[][] {blob}, undo);
        }

        static Result error(String message) {
            return new Result(Wire.ERROR, 0, new byte[][] {Hub.utf8(message)}, null);
        }
    }

    static final Result OK = Result.ok(0);

    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();
    boolean closed;

    abstract boolean blocks(Wire.Request r);

    /**
     * Answers a request: {@link #answer} with this object's lock held. Null: no answer (a request answered only when it
     * fails).
     */
    @Nullable
    Result handle(Hub.Conn c, Wire.Request r) throws InterruptedException {
        lock.lock();
        try {
            return answer(c, r);
        } finally {
            lock.unlock();
        }
    }

    /** Answers a request, with the lock held; a wait waits on {@link #changed} through {@link #awaitUntil}. */
    abstract @Nullable Result answer(Hub.Conn c, Wire.Request r) throws InterruptedException;

    /**
     * Waits, with the lock held, until {@code ready} holds or this object is closed, at most {@code timeout}
     * nanoseconds (0: no wait, negative: no limit). Null when ready; otherwise the answer: {@link Wire#TIMEOUT} or
     * {@link Wire#CLOSED}.
     */
    final @Nullable Result awaitUntil(long timeout, BooleanSupplier ready) throws InterruptedException {
        long left = timeout;
        while (!ready.getAsBoolean() && !closed) {
            left = await(left);
            if (expired(timeout, left) && !ready.getAsBoolean()) {
                return Result.of(Wire.TIMEOUT);
            }
        }
        return closed ? Result.of(Wire.CLOSED) : null;
    }

    /** The process at the end of {@code c} is gone. */
    void gone(Hub.Conn c) {}

    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for a change with the request's timeout; returns the nanoseconds left (negative: none left). Call with the
     * lock held.
     */
    // Callers test their condition again in a loop around this call, which covers spurious wake-ups.
    @SuppressWarnings("WaitNotInLoop")
    final long await(long nanos) throws InterruptedException {
        if (nanos < 0) {
            changed.await();
            return -1;
        }
        return nanos == 0 ? Long.MIN_VALUE : changed.awaitNanos(nanos);
    }

    /** True when a wait that returned {@code left} ran out of time. */
    static boolean expired(long timeout, long left) {
        return timeout >= 0 && left <= 0;
    }

    // ------------------------------------------------------------------ queue

    static final class Queue extends HubObject {
        private final int capacity;
        private final ArrayDeque<byte[]> items = new ArrayDeque<>();

        Queue(int capacity) {
            this.capacity = capacity;
        }

        @Override
        boolean blocks(Wire.Request r) {
            return r.a() != 0 && (r.op() == Wire.Q_TAKE || (r.op() == Wire.Q_PUT && capacity != Integer.MAX_VALUE));
        }

        @Override
        @Nullable
        Result answer(Hub.Conn c, Wire.Request r) throws InterruptedException {
            switch (r.op()) {
                case Wire.Q_PUT -> {
                    Result notNow = awaitUntil(r.a(), () -> items.size() < capacity);
                    if (notNow != null) {
                        return notNow;
                    }
                    items.addLast(r.blob(0));
                    changed.signalAll();
                    return OK;
                }
                case Wire.Q_PUT_ASYNC -> {
                    // an unbounded queue's put: one item, or the items one producer put back to back, in order
                    if (!unbounded()) {
                        return Result.error("an asynchronous put to a bounded queue");
                    }
                    if (closed) {
                        return Result.of(Wire.CLOSED);
                    }
                    Collections.addAll(items, r.blobs());
                    changed.signalAll();
                    return null;
                }
                case Wire.Q_TAKE -> {
                    Result notNow = awaitUntil(r.a(), () -> !items.isEmpty());
                    if (notNow != null) {
                        return notNow;
                    }
                    byte[] item = items.pollFirst();
                    changed.signalAll();
                    return Result.ok(item, () -> putBack(List.of(item)));
                }
                case Wire.Q_SIZE -> {
                    return Result.ok(items.size());
                }
                case Wire.Q_REMAINING -> {
                    return Result.ok(capacity == Integer.MAX_VALUE ? Integer.MAX_VALUE : capacity - items.size());
                }
                case Wire.Q_DRAIN -> {
                    List<byte[]> out = new ArrayList<>();
                    while (!items.isEmpty() && out.size() < r.a()) {
                        out.add(items.pollFirst());
                    }
                    changed.signalAll();
                    return new Result(Wire.OK, out.size(), out.toArray(byte[][]::new), () -> putBack(out));
                }
                case Wire.Q_CLEAR -> {
                    items.clear();
                    changed.signalAll();
                    return OK;
                }
                case Wire.Q_SNAPSHOT -> {
                    return new Result(Wire.OK, items.size(), items.toArray(byte[][]::new), null);
                }
                default -> {
                    return Result.error("unknown queue operation " + r.op());
                }
            }
        }

        boolean unbounded() {
            return capacity == Integer.MAX_VALUE;
        }

        /**
         * Puts {@code batch} at the end of an unbounded queue, in order, under one lock: the items a producer streamed
         * ({@link Wire#Q_PUT_ASYNC}). Null (no answer) unless the queue is closed.
         */
        @Nullable
        Result putAll(List<byte[]> batch) {
            lock.lock();
            try {
                if (closed) {
                    return Result.of(Wire.CLOSED);
                }
                items.addAll(batch);
                changed.signalAll();
                return null;
            } finally {
                lock.unlock();
            }
        }

        /**
         * A take by the owner process itself, without a request: the item, or null when {@code timeout} nanoseconds
         * (0: no wait, negative: no limit) ran out first.
         *
         * @throws SharedObjectGoneException once the queue is closed
         */
        byte @Nullable [] takeLocal(long timeout, HubRef ref) throws InterruptedException {
            lock.lock();
            try {
                long left = timeout;
                while (items.isEmpty() && !closed) {
                    left = await(left);
                    if (expired(timeout, left) && items.isEmpty()) {
                        return null;
                    }
                }
                if (closed) {
                    throw new SharedObjectGoneException(ref + " is gone: it was closed by its owner");
                }
                byte[] item = items.pollFirst();
                if (!unbounded()) {
                    changed.signalAll(); // a producer waiting for room
                }
                return item;
            } finally {
                lock.unlock();
            }
        }

        private void putBack(List<byte[]> taken) {
            lock.lock();
            try {
                for (int i = taken.size() - 1; i >= 0; i--) {
                    items.addFirst(taken.get(i));
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    // ------------------------------------------------------------------ lock

    static final class Lock extends HubObject {
        private Hub.@Nullable Conn holder;
        private long holderThread;
        private int count;

        @Override
        boolean blocks(Wire.Request r) {
            return r.op() == Wire.L_LOCK && r.a() != 0;
        }

        @Override
        @Nullable
        Result answer(Hub.Conn c, Wire.Request r) throws InterruptedException {
            switch (r.op()) {
                case Wire.L_LOCK -> {
                    if (holder == c && holderThread == r.b()) {
                        count++;
                        return OK;
                    }
                    Result notNow = awaitUntil(r.a(), () -> holder == null);
                    if (notNow != null) {
                        return notNow;
                    }
                    holder = c;
                    holderThread = r.b();
                    count = 1;
                    return new Result(Wire.OK, 0, Wire.NONE, () -> release(c, r.b(), true));
                }
                case Wire.L_UNLOCK -> {
                    if (holder != c || holderThread != r.b()) {
                        return Result.error("this thread does not hold the lock");
                    }
                    release(c, r.b(), false);
                    return OK;
                }
                case Wire.L_LOCKED -> {
                    return Result.ok(holder == null ? 0 : holder == c && holderThread == r.b() ? 2 : 1);
                }
                default -> {
                    return Result.error("unknown lock operation " + r.op());
                }
            }
        }

        private void release(Hub.Conn c, long thread, boolean all) {
            lock.lock();
            try {
                if (holder == c && holderThread == thread && (all || --count == 0)) {
                    holder = null;
                    count = 0;
                    changed.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        void gone(Hub.Conn c) {
            lock.lock();
            try {
                if (holder == c) {
                    holder = null;
                    count = 0;
                    changed.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    // ------------------------------------------------------------------ semaphore

    static final class Semaphore extends HubObject {
        private long permits;
        private final Map<Hub.Conn, Long> held = new HashMap<>();

        Semaphore(long permits) {
            this.permits = permits;
        }

        @Override
        boolean blocks(Wire.Request r) {
            return r.op() == Wire.S_ACQUIRE && r.a() != 0;
        }

        @Override
        @Nullable
        Result answer(Hub.Conn c, Wire.Request r) throws InterruptedException {
            switch (r.op()) {
                case Wire.S_ACQUIRE -> {
                    Result notNow = awaitUntil(r.a(), () -> permits >= r.b());
                    if (notNow != null) {
                        return notNow;
                    }
                    permits -= r.b();
                    held.merge(c, r.b(), Long::sum);
                    return new Result(Wire.OK, 0, Wire.NONE, () -> giveBack(c, r.b()));
                }
                case Wire.S_RELEASE -> {
                    giveBack(c, r.b());
                    return OK;
                }
                case Wire.S_AVAILABLE -> {
                    return Result.ok(permits);
                }
                default -> {
                    return Result.error("unknown semaphore operation " + r.op());
                }
            }
        }

        private void giveBack(Hub.Conn c, long n) {
            lock.lock();
            try {
                permits += n;
                Long h = held.get(c);
                if (h != null) {
                    if (h <= n) {
                        held.remove(c);
                    } else {
                        held.put(c, h - n);
                    }
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        void gone(Hub.Conn c) {
            lock.lock();
            try {
                Long h = held.remove(c);
                if (h != null) {
                    permits += h;
                    changed.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    // ------------------------------------------------------------------ event

    static final class Event extends HubObject {
        private boolean set;

        @Override
        boolean blocks(Wire.Request r) {
            return r.op() == Wire.E_WAIT && r.a() != 0;
        }

        @Override
        @Nullable
        Result answer(Hub.Conn c, Wire.Request r) throws InterruptedException {
            switch (r.op()) {
                case Wire.E_SET -> {
                    set = true;
                    changed.signalAll();
                    return OK;
                }
                case Wire.E_CLEAR -> {
                    set = false;
                    return OK;
                }
                case Wire.E_IS_SET -> {
                    return Result.ok(set ? 1 : 0);
                }
                case Wire.E_WAIT -> {
                    Result notNow = awaitUntil(r.a(), () -> set);
                    return notNow != null && notNow.status() == Wire.CLOSED ? notNow : Result.ok(set ? 1 : 0);
                }
                default -> {
                    return Result.error("unknown event operation " + r.op());
                }
            }
        }
    }

    // ------------------------------------------------------------------ map

    /** Keys and values are deserialized here, so equality is the classes' own {@code equals}. */
    static final class SharedMapObject extends HubObject {
        private final ConcurrentHashMap<Object, Object> map = new ConcurrentHashMap<>();

        @Override
        boolean blocks(Wire.Request r) {
            return false;
        }

        /** Without the object's lock: the map is concurrent, and no request waits. */
        @Override
        @Nullable
        Result handle(Hub.Conn c, Wire.Request r) {
            return answer(c, r);
        }

        @Override
        @Nullable
        Result answer(Hub.Conn c, Wire.Request r) {
            if (closed) {
                return Result.of(Wire.CLOSED);
            }
            switch (r.op()) {
                case Wire.M_GET -> {
                    return value(map.get(decode(r.blob(0))));
                }
                case Wire.M_PUT -> {
                    return value(map.put(decode(r.blob(0)), decode(r.blob(1))));
                }
                case Wire.M_PUT_IF_ABSENT -> {
                    return value(map.putIfAbsent(decode(r.blob(0)), decode(r.blob(1))));
                }
                case Wire.M_REMOVE -> {
                    return value(map.remove(decode(r.blob(0))));
                }
                case Wire.M_REMOVE_IF -> {
                    return Result.ok(map.remove(decode(r.blob(0)), decode(r.blob(1))) ? 1 : 0);
                }
                case Wire.M_REPLACE -> {
                    return value(map.replace(decode(r.blob(0)), decode(r.blob(1))));
                }
                case Wire.M_REPLACE_IF -> {
                    return Result.ok(map.replace(decode(r.blob(0)), decode(r.blob(1)), decode(r.blob(2))) ? 1 : 0);
                }
                case Wire.M_SIZE -> {
                    return Result.ok(map.size());
                }
                case Wire.M_CONTAINS -> {
                    return Result.ok(map.containsKey(decode(r.blob(0))) ? 1 : 0);
                }
                case Wire.M_CLEAR -> {
                    map.clear();
                    return OK;
                }
                case Wire.M_ENTRIES -> {
                    List<byte[]> out = new ArrayList<>();
                    map.forEach((k, v) -> {
                        out.add(encode(k));
                        out.add(encode(v));
                    });
                    return new Result(Wire.OK, out.size() / 2, out.toArray(byte[][]::new), null);
                }
                default -> {
                    return Result.error("unknown map operation " + r.op());
                }
            }
        }

        private static Result value(@Nullable Object v) {
            return v == null ? Result.ok(0) : new Result(Wire.OK, 1, new byte[][] {encode(v)}, null);
        }

        private static Object decode(byte[] b) {
            try {
                return Objects.requireNonNull(Codec.decode(b, null), "null key or value");
            } catch (IOException | ClassNotFoundException e) {
                throw new IllegalArgumentException("cannot deserialize a key or value in the map's owner: " + e, e);
            }
        }

        private static byte[] encode(Object o) {
            try {
                return Codec.encode(o, null);
            } catch (IOException e) {
                throw new IllegalStateException("cannot serialize a key or value of the map: " + e, e);
            }
        }
    }

    // ------------------------------------------------------------------ pipe

    /**
     * A pipe's two ends. An end held by another process is {@linkplain #attach attached}: that process has a
     * connection of its own to this hub for the end, and reads and writes it in its calling threads. An end used in
     * this (the owner) process reads its peer's connection directly and writes to it directly, also in the calling
     * thread; messages for an end nobody holds yet wait in its inbox and go out first when it is attached. When both
     * ends are held by other processes, this hub relays between their connections.
     */
    static final class Pipe extends HubObject {
        private final End[] ends = {new End(), new End()};

        private static final class End {
            /** Messages for this end, not yet on its connection (sent while it was not attached). */
            final ArrayDeque<byte[]> inbox = new ArrayDeque<>();
            /** The connection of the process holding this end, if another process holds it. */
            @Nullable
            FrameChannel link;
            /** Closed by its holder, or its holder's process died. */
            boolean closed;

            boolean relayed;
        }

        @Override
        boolean blocks(Wire.Request r) {
            return false;
        }

        @Override
        @Nullable
        Result answer(Hub.Conn c, Wire.Request r) {
            return Result.error("unknown pipe operation " + r.op());
        }

        /** The process {@code pid} holds end {@code e} from now on, over {@code channel}. */
        void attach(int e, java.nio.channels.SocketChannel channel, long pid) throws IOException {
            if (e != 0 && e != 1) {
                channel.close();
                return;
            }
            FrameChannel link = new FrameChannel(channel);
            End me = ends[e];
            End other = ends[1 - e];
            FrameChannel old;
            boolean relay = false;
            lock.lock();
            try {
                if (closed) {
                    link.close();
                    return;
                }
                old = me.link;
                me.link = link;
                me.closed = false;
                try {
                    while (!me.inbox.isEmpty()) {
                        link.write(me.inbox.peekFirst());
                        me.inbox.pollFirst();
                    }
                } catch (IOException ex) {
                    me.closed = true;
                }
                if (other.closed) {
                    link.shutdownOutput();
                } else if (other.link != null && !me.relayed) {
                    me.relayed = true;
                    other.relayed = true;
                    relay = true;
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            if (old != null) {
                old.close();
            }
            if (relay) {
                relay(1 - e, e);
                relay(e, 1 - e);
            }
        }

        /** Both ends are held by other processes: copies what end {@code from} sends to end {@code to}. */
        private void relay(int from, int to) {
            Thread t = new Thread(
                    () -> {
                        // both ends are attached before their relays start
                        FrameChannel in = Objects.requireNonNull(ends[from].link, "relayed end");
                        FrameChannel out = Objects.requireNonNull(ends[to].link, "relayed end");
                        try {
                            while (true) {
                                out.write(in.read());
                            }
                        } catch (IOException e) {
                            peerGone(ends[from]);
                            out.shutdownOutput();
                        }
                    },
                    "joblib4j-pipe-relay");
            t.setDaemon(true);
            t.start();
        }

        /** Sends {@code message} from end {@code e}, used in this process. */
        void send(int e, byte[] message) throws IOException {
            End me = ends[e];
            End other = ends[1 - e];
            @Nullable FrameChannel link;
            lock.lock();
            try {
                if (me.closed || closed) {
                    throw new IOException("this end of the pipe is closed");
                }
                if (other.closed) {
                    throw new IOException("the other end of the pipe is closed (or its process exited)");
                }
                link = other.link;
                if (link == null) {
                    other.inbox.addLast(message);
                    changed.signalAll();
                    return;
                }
            } finally {
                lock.unlock();
            }
            try {
                link.write(message); // outside the lock: a full socket must not stop this end's receiver
            } catch (IOException ex) {
                peerGone(other);
                throw new IOException("the other end of the pipe is closed (or its process exited)", ex);
            }
        }

        /**
         * The next message for end {@code e}, used in this process, waiting up to {@code nanos} (negative: no limit);
         * null if none came in time.
         */
        byte @Nullable [] recv(int e, long nanos) throws IOException, InterruptedException {
            End me = ends[e];
            End other = ends[1 - e];
            long left = nanos;
            while (true) {
                @Nullable FrameChannel link;
                lock.lock();
                try {
                    if (me.closed) {
                        throw new IOException("this end of the pipe is closed");
                    }
                    if (!me.inbox.isEmpty()) {
                        return me.inbox.pollFirst();
                    }
                    link = other.link;
                    if (link == null) {
                        if (other.closed || closed) {
                            throw new EOFException("the other end is closed and nothing is left to receive");
                        }
                        long before = left;
                        left = await(left);
                        if (expired(before, left)) {
                            return null;
                        }
                        continue;
                    }
                } finally {
                    lock.unlock();
                }
                try {
                    return link.read(left);
                } catch (EOFException ex) {
                    peerGone(other);
                    throw new EOFException(
                            "the other end is closed (or its process exited) and nothing is left" + " to receive");
                }
            }
        }

        /** True when {@link #recv} of end {@code e} would not wait, waiting up to {@code nanos} for that. */
        boolean poll(int e, long nanos) throws IOException, InterruptedException {
            End me = ends[e];
            End other = ends[1 - e];
            long left = nanos;
            while (true) {
                @Nullable FrameChannel link;
                lock.lock();
                try {
                    if (me.closed) {
                        throw new IOException("this end of the pipe is closed");
                    }
                    if (!me.inbox.isEmpty() || other.closed || closed) {
                        return true;
                    }
                    link = other.link;
                    if (link == null) {
                        long before = left;
                        left = await(left);
                        if (expired(before, left)) {
                            return false;
                        }
                        continue;
                    }
                } finally {
                    lock.unlock();
                }
                return link.poll(left);
            }
        }

        /** Closes end {@code e}, used in this process: the other end reads end of file once it has read the rest. */
        void close(int e) {
            lock.lock();
            try {
                ends[e].closed = true;
                FrameChannel peer = ends[1 - e].link;
                if (peer != null) {
                    peer.shutdownOutput();
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** The process holding {@code other} closed it or died: its connection is of no more use. */
        private void peerGone(End other) {
            @Nullable FrameChannel link;
            lock.lock();
            try {
                other.closed = true;
                link = other.link;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            if (link != null) {
                link.close();
            }
        }

        @Override
        void close() {
            super.close();
            lock.lock();
            try {
                for (End end : ends) {
                    if (end.link != null) {
                        end.link.close();
                    }
                }
            } finally {
                lock.unlock();
            }
        }
    }

    static long nanos(long timeout, TimeUnit unit) {
        return Math.max(0, unit.toNanos(timeout));
    }
}
