package io.joblib4j.multiprocessing;

import io.joblib4j.internal.TempFolders;
import io.joblib4j.internal.process.Protocol;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The server of the shared objects this JVM created (queues, pipes, locks, semaphores, events, maps): one Unix domain
 * socket in a private folder ({@code joblib4j-<pid>-hub-<random>}, 0700), started at the first shared object. Every
 * process using an object, this one included, holds one connection to the hub; a connection that ends (its process
 * died) releases what that process held: locks, semaphore permits, pipe ends. When this JVM ends, every connection
 * ends with it, and the peers' calls fail at once.
 *
 * <p>Requests that may wait (a take from an empty queue, a lock held by another process) each run in a virtual
 * thread; the others are answered in the connection's reader thread, in order, which keeps the items of one producer
 * in the order it put them.
 */
final class Hub {
    /** The most requests of a producer's puts whose items go into a queue under one lock. */
    private static final int MAX_BATCH = 256;

    private static volatile @Nullable Hub instance;

    private final Path folder;
    private final String socket;
    private final long pid = ProcessHandle.current().pid();
    private final ServerSocketChannel server;
    private final Map<Integer, HubObject> objects = new ConcurrentHashMap<>();
    private final Map<Integer, Conn> conns = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicInteger connIds = new AtomicInteger();
    /** This process's own "connection": calls made in the owner process run in the caller's thread, no socket. */
    private final Conn local = new Conn(0, null);

    private Hub() {
        local.pid = pid;
        folder = TempFolders.create(null, "hub");
        Path sock = folder.resolve("hub.sock");
        socket = sock.toString();
        try {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(sock));
        } catch (IOException e) {
            TempFolders.delete(folder);
            throw new UncheckedIOException("cannot open the socket for shared objects in " + folder + ": " + e, e);
        }
        Thread acceptor = new Thread(this::accept, "joblib4j-hub-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** This JVM's hub, started at first use. */
    static Hub get() {
        Hub h = instance;
        if (h == null) {
            synchronized (Hub.class) {
                h = instance;
                if (h == null) {
                    h = new Hub();
                    instance = h;
                }
            }
        }
        return h;
    }

    /** Hosts {@code object}; returns the reference other processes reach it by. */
    HubRef register(HubObject object, String kind) {
        int id = ids.incrementAndGet();
        objects.put(id, object);
        return new HubRef(socket, pid, id, kind);
    }

    /** Stops hosting object {@code id}: its waiters and later calls get {@link Wire#CLOSED}. */
    void close(int id) {
        HubObject o = objects.remove(id);
        if (o != null) {
            o.close();
        }
    }

    /**
     * Answers a request of this process about one of its own objects in the calling thread: a wait waits here, an
     * interrupt ends it with {@link InterruptedException}.
     */
    Wire.Reply callLocal(int object, byte op, long a, long b, byte[][] blobs) throws InterruptedException {
        HubObject o = objects.get(object);
        if (o == null) {
            return new Wire.Reply(Wire.CLOSED, 0, Wire.NONE);
        }
        HubObject.Result res;
        try {
            res = o.handle(local, new Wire.Request(0, object, op, a, b, blobs));
        } catch (RuntimeException | Error e) {
            res = HubObject.Result.error(e.toString());
        }
        return res == null ? new Wire.Reply(Wire.OK, 0, Wire.NONE) : new Wire.Reply(res.status(), res.n(), res.blobs());
    }

    /** The object {@code id} of this hub, or null once closed. */
    @Nullable
    HubObject object(int id) {
        return objects.get(id);
    }

    private void accept() {
        while (true) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                return;
            }
            Conn c = new Conn(connIds.incrementAndGet(), ch);
            Thread t = new Thread(() -> serve(c), "joblib4j-hub-conn-" + c.id);
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Conn c) {
        try {
            // the greeting is read unbuffered: on a pipe end's connection, the frames that follow are not the hub's
            ByteBuffer hello = Wire.readExactly(c.socket(), Wire.HELLO_BYTES);
            c.pid = hello.getLong();
            if (hello.getInt() == Wire.HELLO_PIPE_END) {
                int object = hello.getInt();
                int end = hello.getInt();
                if (objects.get(object) instanceof HubObject.Pipe pipe) {
                    pipe.attach(end, c.socket(), c.pid);
                } else {
                    c.closeChannel(); // the pipe is closed: the end reads end of file
                }
                return;
            }
        } catch (IOException | RuntimeException e) {
            try {
                c.closeChannel();
            } catch (IOException ignored) {
                // closed anyway
            }
            return;
        }
        conns.put(c.id, c);
        try {
            DataInputStream in = new DataInputStream(new BufferedInputStream(Protocol.input(c.socket()), 1 << 16));
            Wire.@Nullable Request next = null;
            while (true) {
                Wire.Request r = next != null ? next : Wire.readRequest(in);
                next = null;
                if (r.op() == Wire.CANCEL) {
                    Thread t = c.pending.get(r.a());
                    if (t != null) {
                        t.interrupt();
                    }
                    continue;
                }
                HubObject o = objects.get(r.object());
                if (o == null) {
                    c.send(r.id(), HubObject.Result.of(Wire.CLOSED));
                    continue;
                }
                if (r.op() == Wire.Q_PUT_ASYNC
                        && o instanceof HubObject.Queue q
                        && q.unbounded()
                        && in.available() > 0) {
                    // items streamed by a producer: those already read go in together, under one lock
                    List<byte[]> items = new ArrayList<>(Arrays.asList(r.blobs()));
                    for (int requests = 1; requests < MAX_BATCH && in.available() > 0; requests++) {
                        Wire.Request n = Wire.readRequest(in);
                        if (n.op() != Wire.Q_PUT_ASYNC || n.object() != r.object()) {
                            next = n;
                            break;
                        }
                        Collections.addAll(items, n.blobs());
                    }
                    reply(c, r, q.putAll(items));
                    continue;
                }
                if (o.blocks(r)) {
                    // most waits need not wait: try without waiting first, in order, in this thread
                    Wire.Request now = new Wire.Request(r.id(), r.object(), r.op(), 0, r.b(), r.blobs());
                    HubObject.@Nullable Result res = attempt(o, c, now);
                    if (!wouldWait(r, res)) {
                        reply(c, r, res);
                        continue;
                    }
                    Thread vt = Thread.ofVirtual().name("joblib4j-hub-wait").unstarted(() -> run(c, o, r));
                    c.pending.put(r.id(), vt);
                    vt.start();
                } else {
                    run(c, o, r);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process at the other end is gone (or closed its connection)
        } finally {
            c.dead = true;
            conns.remove(c.id);
            try {
                c.closeChannel();
            } catch (IOException e) {
                // closed anyway
            }
            for (Thread t : c.pending.values()) {
                t.interrupt();
            }
            for (HubObject o : objects.values()) {
                o.gone(c);
            }
        }
    }

    private static HubObject.@Nullable Result attempt(HubObject o, Conn c, Wire.Request r) {
        try {
            return o.handle(c, r);
        } catch (InterruptedException e) {
            return HubObject.Result.of(Wire.INTERRUPTED);
        } catch (RuntimeException | Error e) {
            return HubObject.Result.error(e.toString());
        }
    }

    /** True if {@code res}, the answer to {@code r} tried without waiting, means that {@code r} has to wait. */
    private static boolean wouldWait(Wire.Request r, HubObject.@Nullable Result res) {
        if (res == null) {
            return false; // no answer to send (an asynchronous put): nothing to wait for
        }
        if (res.status() == Wire.TIMEOUT) {
            return true;
        }
        return r.op() == Wire.E_WAIT && res.status() == Wire.OK && res.n() == 0;
    }

    private void run(Conn c, HubObject o, Wire.Request r) {
        HubObject.@Nullable Result res;
        try {
            res = attempt(o, c, r);
        } finally {
            c.pending.remove(r.id());
        }
        reply(c, r, res);
    }

    private static void reply(Conn c, Wire.Request r, HubObject.@Nullable Result res) {
        if (res == null) {
            return; // a request answered only when it fails
        }
        if (!c.send(r.id(), res) && res.undo() != null) {
            res.undo().run(); // the asker died before it got the answer: put back what it was given
        }
    }

    /** One process's connection. */
    static final class Conn {
        final int id;
        /** Null for the owner process's own connection ({@link #local}): its calls run in the caller's thread. */
        final @Nullable SocketChannel channel;

        final DataOutputStream out;
        final Map<Long, Thread> pending = new ConcurrentHashMap<>();
        volatile long pid;
        volatile boolean dead;

        Conn(int id, @Nullable SocketChannel channel) {
            this.id = id;
            this.channel = channel;
            this.out = channel == null
                    ? new DataOutputStream(OutputStream.nullOutputStream())
                    : new DataOutputStream(new BufferedOutputStream(Protocol.output(channel), 1 << 16));
        }

        SocketChannel socket() {
            return Objects.requireNonNull(channel, "the owner process's own connection has no socket");
        }

        void closeChannel() throws IOException {
            if (channel != null) {
                channel.close();
            }
        }

        /** Sends a reply; false if the connection is gone. */
        boolean send(long requestId, HubObject.Result res) {
            if (dead) {
                return false;
            }
            synchronized (this) {
                try {
                    Wire.writeReply(out, requestId, res.status(), res.n(), res.blobs());
                    out.flush();
                    return true;
                } catch (IOException e) {
                    dead = true;
                    return false;
                }
            }
        }

        @Override
        public String toString() {
            return "process " + pid;
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
