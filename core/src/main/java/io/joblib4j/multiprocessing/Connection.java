package io.joblib4j.multiprocessing;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.Serial;
import java.io.Serializable;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * One end of a {@link Pipe}: Python's {@code multiprocessing.connection.Connection}. Messages are serialized
 * objects; primitive arrays larger than 1 MiB inside them travel through shared-memory files.
 *
 * <p>An end belongs to the process that last received it (by deserialization: a target or task capturing it) or,
 * until then, to the process that opened the pipe. When that process exits, the end is closed. An end held by another
 * process than the pipe's has a socket of its own to the pipe's process, which the calling thread reads and writes
 * itself; so a message between the pipe's process and a child costs one write and one read, with no thread in between.
 */
public final class Connection implements Serializable, AutoCloseable {
    @Serial
    private static final long serialVersionUID = 2L;

    /** The connections of the ends this process holds of pipes owned by other processes. */
    private static final Map<String, FrameChannel> LINKS = new ConcurrentHashMap<>();

    private final HubRef ref;
    private final int end;
    private final boolean duplex;
    /** This process's connection for the end, once looked up. */
    private transient volatile @Nullable FrameChannel link;

    Connection(HubRef ref, int end, boolean duplex) {
        this.ref = ref;
        this.end = end;
        this.duplex = duplex;
    }

    /**
     * Sends {@code message} to the other end.
     *
     * @throws IOException              if this end or the other one is closed, or the pipe's process has exited
     * @throws IllegalArgumentException if the message cannot be serialized
     */
    public void send(Object message) throws IOException {
        if (!duplex && end == 0) {
            throw new IOException(this + ": the left end of a one-way pipe only receives");
        }
        byte[] bytes = Shared.encode(message, "the message", ref);
        if (ref.isOwner()) {
            pipe().send(end, bytes);
            return;
        }
        FrameChannel link = link();
        try {
            link.write(bytes);
        } catch (IOException e) {
            throw new IOException(
                    this + ": " + (link.isOpen() ? "the pipe's process has exited" : "this end is closed"), e);
        }
    }

    /**
     * Receives the next message, waiting for one.
     *
     * @throws EOFException            when nothing is left and the other end is closed, its process has exited, or
     *                                 the pipe's own process has exited
     * @throws InterruptedIOException  if this thread is interrupted while waiting
     * @throws IOException             if this end is closed
     */
    public Object recv() throws IOException {
        checkReceives();
        byte[] m;
        if (ref.isOwner()) {
            try {
                // without a time limit, recv ends with a message or an exception
                m = Objects.requireNonNull(pipe().recv(end, -1), "message");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(this + ": interrupted while waiting");
            } catch (EOFException e) {
                throw eof(e.getMessage());
            }
        } else {
            FrameChannel link = link();
            if (!link.isOpen()) {
                throw new IOException(this + ": this end is closed");
            }
            try {
                m = link.read();
            } catch (EOFException e) {
                throw eof("the other end is closed (or its process, or the pipe's process, exited) and nothing is"
                        + " left to receive");
            }
        }
        return Shared.decode(m);
    }

    /**
     * Waits up to {@code timeout} until {@link #recv()} would not block: true when a message is there or the other
     * end is closed. {@code Duration.ZERO} does not wait.
     */
    public boolean poll(Duration timeout) throws IOException {
        checkReceives();
        long nanos = Shared.nanos(timeout);
        if (ref.isOwner()) {
            try {
                return pipe().poll(end, nanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(this + ": interrupted while waiting");
            }
        }
        return link().poll(nanos);
    }

    /** Closes this end: the other end's {@code recv} reaches end of file once it has received what was sent. */
    @Override
    public void close() {
        if (ref.isOwner()) {
            HubObject o = Hub.get().object(ref.id());
            if (o instanceof HubObject.Pipe p) {
                p.close(end);
            }
            return;
        }
        FrameChannel link = LINKS.get(key());
        if (link != null) {
            link.close();
        }
    }

    private void checkReceives() throws IOException {
        if (!duplex && end == 1) {
            throw new IOException(this + ": the right end of a one-way pipe only sends");
        }
    }

    private EOFException eof(@Nullable String why) {
        return new EOFException(this + ": " + why);
    }

    private HubObject.Pipe pipe() throws EOFException {
        if (Hub.get().object(ref.id()) instanceof HubObject.Pipe p) {
            return p;
        }
        throw eof("the pipe is closed");
    }

    private String key() {
        return ref.socket() + "#" + ref.id() + "/" + end;
    }

    /** This process's connection for this end, opened at first use (or when the end arrived here). */
    private FrameChannel link() throws IOException {
        FrameChannel known = this.link;
        if (known != null) {
            return known;
        }
        FrameChannel link = LINKS.get(key());
        if (link != null) {
            this.link = link;
            return link;
        }
        synchronized (LINKS) {
            link = LINKS.get(key());
            if (link == null) {
                SocketChannel ch;
                try {
                    ch = SocketChannel.open(UnixDomainSocketAddress.of(ref.socket()));
                    Wire.writeFully(ch, Wire.hello(Wire.HELLO_PIPE_END, ref.id(), end));
                } catch (IOException e) {
                    EOFException eof = eof("the pipe's process has exited");
                    eof.initCause(e);
                    throw eof;
                }
                link = new FrameChannel(ch);
                LINKS.put(key(), link);
            }
            this.link = link;
            return link;
        }
    }

    @Serial
    private Object readResolve() {
        if (!ref.isOwner()) {
            try {
                link(); // this process holds the end from now on: when it exits, the other end reads end of file
            } catch (IOException e) {
                // the pipe's process is gone: using this end says so
            }
        }
        return this;
    }

    @Override
    public String toString() {
        return (end == 0 ? "left" : "right") + " end of " + ref;
    }
}
