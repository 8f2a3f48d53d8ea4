package io.joblib4j.multiprocessing;

import io.joblib4j.internal.process.Codec;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A shared object as its hub holds it. Each kind answers the requests of its public class; a request that may wait
 * runs in a virtual thread of its own ({@link #blocks}) and waits on this object's lock and conditions, with the
 * timeout of the request ({@code a}: nanoseconds, 0 for no wait, negative for no limit).
 */
abstract class HubObject {
    /** What a request is answered with; {@code undo} puts back what it handed out if the answer cannot be sent. */
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

    /** The reply to {@code r}, or null for none (an asynchronous put). */
    abstract @Nullable Result handle(Hub.Conn c, Wire.Request r) throws InterruptedException;

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
        Result handle(Hub.Conn c, Wire.Request r) throws InterruptedException {
            lock.lock();
            try {
                switch (r.op()) {
                    case Wire.Q_PUT, Wire.Q_PUT_ASYNC -> {
                        long left = r.a();
                        while (items.size() >= capacity && !closed) {
                            left = await(left);
                            if (expired(r.a(), left) && items.size() >= capacity) {
                                return Result.of(Wire.TIMEOUT);
                            }
                        }
                        if (closed) {
                            return Result.of(Wire.CLOSED);
                        }
                        items.addLast(r.blob(0));
                        changed.signalAll();
                        return r.op() == Wire.Q_PUT_ASYNC ? null : OK;
                    }
                    case Wire.Q_TAKE -> {
                        long left = r.a();
                        while (items.isEmpty() && !closed) {
                            left = await(left);
                            if (expired(r.a(), left) && items.isEmpty()) {
                                return Result.of(Wire.TIMEOUT);
                            }
                        }
                        if (closed) {
                            return Result.of(Wire.CLOSED);
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
        Result handle(Hub.Conn c, Wire.Request r) throws InterruptedException {
            lock.lock();
            try {
                switch (r.op()) {
                    case Wire.L_LOCK -> {
                        if (holder == c && holderThread == r.b()) {
                            count++;
                            return OK;
                        }
                        long left = r.a();
                        while (holder != null && !closed) {
                            left = await(left);
                            if (expired(r.a(), left) && holder != null) {
                                return Result.of(Wire.TIMEOUT);
                            }
                        }
                        if (closed) {
                            return Result.of(Wire.CLOSED);
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
            } finally {
                lock.unlock();
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
        Result handle(Hub.Conn c, Wire.Request r) throws InterruptedException {
            lock.lock();
            try {
                switch (r.op()) {
                    case Wire.S_ACQUIRE -> {
                        long left = r.a();
                        while (permits < r.b() && !closed) {
                            left = await(left);
                            if (expired(r.a(), left) && permits < r.b()) {
                                return Result.of(Wire.TIMEOUT);
                            }
                        }
                        if (closed) {
                            return Result.of(Wire.CLOSED);
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
            } finally {
                lock.unlock();
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
        Result handle(Hub.Conn c, Wire.Request r) throws InterruptedException {
            lock.lock();
            try {
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
                        long left = r.a();
                        while (!set && !closed) {
                            left = await(left);
                            if (expired(r.a(), left)) {
                                break;
                            }
                        }
                        if (closed) {
                            return Result.of(Wire.CLOSED);
                        }
                        return Result.ok(set ? 1 : 0);
                    }
                    default -> {
                        return Result.error("unknown event operation " + r.op());
                    }
                }
            } finally {
                lock.unlock();
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

        @Override
        Result handle(Hub.Conn c, Wire.Request r) {
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

    static final class Pipe extends HubObject {
        private final boolean duplex;
        private final End[] ends = {new End(), new End()};

        private static final class End {
            final ArrayDeque<byte[]> inbox = new ArrayDeque<>();
            Hub.@Nullable Conn attached;
            boolean closed;
        }

        Pipe(boolean duplex) {
            this.duplex = duplex;
        }

        @Override
        boolean blocks(Wire.Request r) {
            return (r.op() == Wire.P_RECV || r.op() == Wire.P_POLL) && r.a() != 0;
        }

        @Override
        Result handle(Hub.Conn c, Wire.Request r) throws InterruptedException {
            int e = (int) r.b();
            if (e != 0 && e != 1) {
                return Result.error("no pipe end " + e);
            }
            End me = ends[e];
            End other = ends[1 - e];
            lock.lock();
            try {
                if (r.op() == Wire.P_ATTACH) {
                    me.attached = c;
                    return OK;
                }
                if (me.attached == null) {
                    me.attached = c;
                }
                switch (r.op()) {
                    case Wire.P_SEND -> {
                        if (me.closed) {
                            return Result.error("this end of the pipe is closed");
                        }
                        if (!duplex && e == 0) {
                            return Result.error("the left end of a one-way pipe only receives");
                        }
                        if (other.closed) {
                            return Result.error("the other end of the pipe is closed (or its process exited)");
                        }
                        other.inbox.addLast(r.blob(0));
                        changed.signalAll();
                        return OK;
                    }
                    case Wire.P_RECV, Wire.P_POLL -> {
                        if (!duplex && e == 1) {
                            return Result.error("the right end of a one-way pipe only sends");
                        }
                        long left = r.a();
                        while (me.inbox.isEmpty() && !other.closed && !me.closed && !closed) {
                            left = await(left);
                            if (expired(r.a(), left)) {
                                break;
                            }
                        }
                        if (me.closed) {
                            return Result.error("this end of the pipe is closed");
                        }
                        if (r.op() == Wire.P_POLL) {
                            return Result.ok(me.inbox.isEmpty() && !other.closed && !closed ? 0 : 1);
                        }
                        if (me.inbox.isEmpty()) {
                            return Result.of(other.closed || closed ? Wire.EOF : Wire.TIMEOUT);
                        }
                        byte[] item = me.inbox.pollFirst();
                        return Result.ok(item, () -> {
                            lock.lock();
                            try {
                                me.inbox.addFirst(item);
                                changed.signalAll();
                            } finally {
                                lock.unlock();
                            }
                        });
                    }
                    case Wire.P_CLOSE -> {
                        me.closed = true;
                        changed.signalAll();
                        return OK;
                    }
                    default -> {
                        return Result.error("unknown pipe operation " + r.op());
                    }
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        void gone(Hub.Conn c) {
            lock.lock();
            try {
                for (End end : ends) {
                    if (end.attached == c) {
                        end.closed = true;
                        changed.signalAll();
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
