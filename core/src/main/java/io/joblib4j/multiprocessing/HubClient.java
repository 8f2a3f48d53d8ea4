package io.joblib4j.multiprocessing;

import io.joblib4j.internal.process.Protocol;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * This process's connection to one hub: requests from any thread, answered through a reader thread. When the hub's
 * process dies (or the connection breaks), every waiting call and every later one fails with
 * {@link SharedObjectGoneException}.
 *
 * <p>Requests sent without waiting for their answer ({@link #send}: an unbounded queue's {@code put}) are buffered and
 * written by a flusher thread, which wakes at the first of them and writes whatever has been buffered meanwhile in one
 * write: a producer putting small items back to back pays a system call per batch, not per item. A request that waits
 * for its answer writes the buffer itself, its own request last, so the order of one thread's requests is kept. What
 * is still buffered when this JVM exits normally (shutdown hooks run) is written then; like Python's
 * {@code multiprocessing.Queue}, the items put in the last moments before a process is killed may be lost.
 */
final class HubClient {
    private static final Map<String, HubClient> CLIENTS = new ConcurrentHashMap<>();
    /** The largest request {@link #send} buffers; a larger one is written at once. */
    private static final int MAX_BUFFERED_REQUEST = 1 << 14;
    /** How many buffered bytes make a producer write them itself rather than wait for the flusher. */
    private static final int MAX_BUFFERED = 1 << 20;

    private final String socket;
    private final long ownerPid;
    /** Null for the owner process's own client: its calls run in the caller's thread. */
    private final @Nullable SocketChannel channel;

    /** The requests on their way out; whoever holds its monitor writes to the socket, the buffered requests first. */
    private final DataOutputStream out;
    /** Guards {@link #buffered} and {@link #flushPending}; held only to append or to swap buffers, never to write. */
    private final Object bufferLock = new Object();
    /** Requests sent without waiting, encoded, not yet written (position: their end). */
    private ByteBuffer buffered = ByteBuffer.allocate(1 << 16);
    /** The other buffer, swapped with {@link #buffered} by the holder of {@link #out}'s monitor. */
    private ByteBuffer spare = ByteBuffer.allocate(1 << 16);
    /**
     * Where in {@link #buffered} the last request starts if it is an unbounded queue's put that later puts to the same
     * queue may join (they add their item to it: the hub reads one request for a run of items); -1 if none.
     */
    private int lastPutStart = -1;
    /** The queue of the request at {@link #lastPutStart}, and how many items it holds. */
    private int lastPutObject;

    private int lastPutItems;
    /** The most items one request of puts carries. */
    private static final int MAX_ITEMS_PER_REQUEST = 1024;
    /** Where a request's blob count lies, from its start (id, object, op, a, b). */
    private static final int BLOB_COUNT_OFFSET = 8 + 4 + 1 + 8 + 8;

    /** True while {@link #buffered} holds requests and the flusher has been woken for them. */
    private boolean flushPending;
    /** Writes what {@link #send} buffered; null for the owner process's own client. */
    private final @Nullable Thread flusher;

    private final Map<Long, CompletableFuture<Wire.Reply>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile @Nullable String broken;
    /** The first failure of a request sent without waiting for its answer, reported by the next call. */
    private volatile @Nullable String asyncFailure;

    private HubClient(String socket, long ownerPid) throws IOException {
        this.local = false;
        this.socket = socket;
        this.ownerPid = ownerPid;
        this.channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        this.out = new DataOutputStream(new BufferedOutputStream(Protocol.output(channel), 1 << 16));
        Wire.writeFully(channel, Wire.hello(Wire.HELLO_REQUESTS, 0, 0));
        DataInputStream in = new DataInputStream(new BufferedInputStream(Protocol.input(channel), 1 << 16));
        Thread t = new Thread(() -> read(in), "joblib4j-hub-client-" + ownerPid);
        t.setDaemon(true);
        t.start();
        Thread f = new Thread(this::flushLoop, "joblib4j-hub-flush-" + ownerPid);
        f.setDaemon(true);
        this.flusher = f;
        f.start();
        flushAtExit();
    }

    /** Set once the shutdown hook that writes what every client still buffers is registered. */
    private static final AtomicBoolean FLUSH_AT_EXIT = new AtomicBoolean();

    private static void flushAtExit() {
        if (FLUSH_AT_EXIT.compareAndSet(false, true)) {
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                for (HubClient c : CLIENTS.values()) {
                                    c.flushQuietly();
                                }
                            },
                            "joblib4j-hub-flush-at-exit"));
        }
    }

    /** The calls of the owner process about its own objects: answered in the caller's thread, no socket. */
    private static final HubClient LOCAL = new HubClient();

    private final boolean local;

    private HubClient() {
        this.local = true;
        this.socket = "";
        this.ownerPid = ProcessHandle.current().pid();
        this.channel = null;
        this.out = new DataOutputStream(java.io.OutputStream.nullOutputStream());
        this.flusher = null;
    }

    /** The connection to the hub of {@code ref}, opened at first use; in the owner process, the owner itself. */
    static HubClient of(HubRef ref) {
        if (ref.isOwner()) {
            return LOCAL;
        }
        HubClient c = CLIENTS.get(ref.socket());
        if (c != null) {
            return c;
        }
        synchronized (CLIENTS) {
            c = CLIENTS.get(ref.socket());
            if (c == null) {
                try {
                    c = new HubClient(ref.socket(), ref.ownerPid());
                } catch (IOException e) {
                    throw new SharedObjectGoneException(
                            ref + " cannot be reached: "
                                    + (ProcessHandle.of(ref.ownerPid())
                                                    .map(ProcessHandle::isAlive)
                                                    .orElse(false)
                                            ? e.toString()
                                            : "the process that created it has exited"),
                            e);
                }
                CLIENTS.put(ref.socket(), c);
            }
            return c;
        }
    }

    private void read(DataInputStream in) {
        try {
            while (true) {
                long id = Wire.readReplyId(in);
                Wire.Reply reply = Wire.readReply(in);
                CompletableFuture<Wire.Reply> f = pending.remove(id);
                if (f != null) {
                    f.complete(reply);
                } else if (reply.status() != Wire.OK && asyncFailure == null) {
                    asyncFailure = describe(reply);
                }
            }
        } catch (IOException e) {
            fail("the process " + ownerPid + " that owns it has exited");
        }
    }

    /** The flusher: waits until {@link #send} buffered a request, then writes the buffer, until the connection ends. */
    private void flushLoop() {
        while (broken == null) {
            synchronized (bufferLock) {
                while (!flushPending) {
                    try {
                        bufferLock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            try {
                synchronized (out) {
                    writeBuffered();
                    out.flush();
                }
            } catch (IOException e) {
                // the connection broke: the reader thread's end of file says so to every call
                closeQuietly();
                return;
            }
        }
    }

    /**
     * Writes the requests {@link #send} buffered to {@link #out} (not flushed), with {@code out}'s monitor held; the
     * producers go on filling the other buffer meanwhile.
     */
    private void writeBuffered() throws IOException {
        ByteBuffer full;
        synchronized (bufferLock) {
            full = buffered;
            if (full.position() == 0) {
                flushPending = false;
                return;
            }
            buffered = spare;
            flushPending = false;
            lastPutStart = -1;
        }
        out.write(full.array(), full.arrayOffset(), full.position());
        full.clear();
        spare = full;
    }

    private void flushQuietly() {
        synchronized (out) {
            try {
                writeBuffered();
                out.flush();
            } catch (IOException e) {
                // the hub's process is gone: nothing to deliver to
            }
        }
    }

    private void closeQuietly() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            // closed anyway
        }
    }

    private void fail(String why) {
        broken = why;
        closeQuietly();
        if (flusher != null) {
            flusher.interrupt();
        }
        for (CompletableFuture<Wire.Reply> f : pending.values()) {
            f.cancel(false);
        }
        pending.clear();
        synchronized (CLIENTS) {
            CLIENTS.remove(socket, this);
        }
    }

    /** Sends a request without waiting: a failure is reported by a later call. */
    void send(HubRef ref, byte op, long a, long b, byte[]... blobs) {
        check(ref);
        if (local) {
            Wire.Reply r;
            try {
                r = Hub.get().callLocal(ref.id(), op, a, b, blobs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                r = new Wire.Reply(Wire.INTERRUPTED, 0, Wire.NONE);
            }
            if (r.status() != Wire.OK && asyncFailure == null) {
                asyncFailure = describe(r);
            }
            return;
        }
        int size = Wire.requestSize(blobs);
        if (size > MAX_BUFFERED_REQUEST) {
            write(ref, 0, op, a, b, blobs); // a large item goes out at once, after what is buffered
            return;
        }
        boolean full;
        synchronized (bufferLock) {
            if (buffered.remaining() < size) {
                buffered = ByteBuffer.allocate(Math.max(buffered.capacity() * 2, buffered.position() + size))
                        .put(buffered.flip());
            }
            boolean joins = op == Wire.Q_PUT_ASYNC
                    && blobs.length == 1
                    && blobs[0] != null
                    && lastPutStart >= 0
                    && lastPutObject == ref.id()
                    && lastPutItems < MAX_ITEMS_PER_REQUEST;
            if (joins) {
                // the previous request is a put to the same queue, not written yet: the item joins it (bytes put by
                // hand: a producer's first thousands of puts run in the interpreter, where each ByteBuffer call is
                // many)
                byte[] item = blobs[0];
                byte[] to = buffered.array();
                int at = buffered.arrayOffset() + buffered.position();
                Wire.intAt(to, at, item.length);
                System.arraycopy(item, 0, to, at + 4, item.length);
                buffered.position(buffered.position() + 4 + item.length);
                lastPutItems++;
                Wire.intAt(to, buffered.arrayOffset() + lastPutStart + BLOB_COUNT_OFFSET, lastPutItems);
            } else {
                lastPutStart = op == Wire.Q_PUT_ASYNC && blobs.length == 1 ? buffered.position() : -1;
                lastPutObject = ref.id();
                lastPutItems = 1;
                Wire.putRequest(buffered, 0, ref.id(), op, a, b, blobs);
            }
            if (!flushPending) {
                flushPending = true;
                bufferLock.notify(); // the flusher writes this, and what comes while it wakes, in one write
            }
            full = buffered.position() >= MAX_BUFFERED;
        }
        if (full) {
            // the flusher falls behind: this producer writes, and waits for the socket as an unbuffered one would
            try {
                synchronized (out) {
                    writeBuffered();
                    out.flush();
                }
            } catch (IOException e) {
                fail("the connection to the process " + ownerPid + " that owns it broke: " + e);
                throw gone(ref);
            }
        }
    }

    /**
     * Sends a request and waits for its answer. An interrupt while waiting cancels the request at the hub and waits
     * for the hub's last word: a value the hub had already handed out is returned all the same (with this thread's
     * interrupt status set), so nothing taken from a queue is lost.
     */
    Wire.Reply call(HubRef ref, byte op, long a, long b, byte[]... blobs) throws InterruptedException {
        check(ref);
        if (local) {
            return Hub.get().callLocal(ref.id(), op, a, b, blobs);
        }
        long id = ids.incrementAndGet();
        CompletableFuture<Wire.Reply> f = new CompletableFuture<>();
        pending.put(id, f);
        if (broken != null) {
            pending.remove(id);
            throw gone(ref);
        }
        write(ref, id, op, a, b, blobs);
        try {
            return f.get();
        } catch (InterruptedException e) {
            write(ref, 0, Wire.CANCEL, id, 0);
            Wire.Reply r = awaitUninterruptibly(ref, f);
            if (r.status() == Wire.INTERRUPTED) {
                throw e;
            }
            Thread.currentThread().interrupt();
            return r;
        } catch (CancellationException e) {
            throw gone(ref);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** {@link #call} for requests that never wait at the hub. */
    Wire.Reply callQuick(HubRef ref, byte op, long a, long b, byte[]... blobs) {
        try {
            return call(ref, op, a, b, blobs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling " + ref, e);
        }
    }

    private Wire.Reply awaitUninterruptibly(HubRef ref, CompletableFuture<Wire.Reply> f) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException ie) {
                    interrupted = true;
                } catch (CancellationException ce) {
                    throw gone(ref);
                } catch (ExecutionException ee) {
                    throw new IllegalStateException(ee.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void check(HubRef ref) {
        if (broken != null) {
            throw gone(ref);
        }
        String failure = asyncFailure;
        if (failure != null) {
            asyncFailure = null;
            throw new IllegalStateException("an earlier operation on " + ref + " failed: " + failure);
        }
    }

    private void write(HubRef ref, long id, byte op, long a, long b, byte[]... blobs) {
        try {
            synchronized (out) {
                writeBuffered(); // what this thread (or another) sent before, first
                Wire.writeRequest(out, id, ref.id(), op, a, b, blobs);
                out.flush();
            }
        } catch (IOException e) {
            fail("the connection to the process " + ownerPid + " that owns it broke: " + e);
            pending.remove(id);
            throw gone(ref);
        }
    }

    private SharedObjectGoneException gone(HubRef ref) {
        return new SharedObjectGoneException(ref + " is gone: " + broken);
    }

    static String describe(Wire.Reply r) {
        return switch (r.status()) {
            case Wire.ERROR -> new String(r.blob(0), StandardCharsets.UTF_8);
            case Wire.CLOSED -> "it was closed by its owner";
            case Wire.TIMEOUT -> "timed out";
            case Wire.EOF -> "end of file";
            case Wire.INTERRUPTED -> "interrupted";
            default -> "status " + r.status();
        };
    }
}
