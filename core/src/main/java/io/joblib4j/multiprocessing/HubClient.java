package io.joblib4j.multiprocessing;

import io.joblib4j.internal.process.Protocol;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * This process's connection to one hub: requests from any thread, answered through a reader thread. When the hub's
 * process dies (or the connection breaks), every waiting call and every later one fails with
 * {@link SharedObjectGoneException}.
 */
final class HubClient {
    private static final Map<String, HubClient> CLIENTS = new ConcurrentHashMap<>();

    private final String socket;
    private final long ownerPid;
    /** Null for the owner process's own client: its calls run in the caller's thread. */
    private final @Nullable SocketChannel channel;

    private final DataOutputStream out;
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

    private void fail(String why) {
        broken = why;
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            // closed anyway
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
        write(ref, 0, op, a, b, blobs);
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
