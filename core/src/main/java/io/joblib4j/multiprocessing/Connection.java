package io.joblib4j.multiprocessing;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;

/**
 * One end of a {@link Pipe}: Python's {@code multiprocessing.connection.Connection}. Messages are serialized
 * objects; primitive arrays larger than 1 MiB inside them travel through shared-memory files.
 *
 * <p>An end belongs to the process that last received it (by deserialization: a target or task capturing it) or,
 * until then, to the process that used it first. When that process exits, the end is closed.
 */
public final class Connection implements Serializable, AutoCloseable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final HubRef ref;
    private final int end;

    Connection(HubRef ref, int end) {
        this.ref = ref;
        this.end = end;
    }

    /**
     * Sends {@code message} to the other end.
     *
     * @throws IOException              if this end or the other one is closed, or the pipe's process has exited
     * @throws IllegalArgumentException if the message cannot be serialized
     */
    public void send(Object message) throws IOException {
        byte[] bytes = Shared.encode(message, "the message", ref);
        Wire.Reply r = call(Wire.P_SEND, 0, bytes);
        if (r.status() != Wire.OK) {
            throw new IOException(this + ": " + HubClient.describe(r));
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
        Wire.Reply r = call(Wire.P_RECV, -1);
        return switch (r.status()) {
            case Wire.OK -> Shared.decode(r.blob(0));
            case Wire.EOF -> throw new EOFException(this + ": the other end is closed and nothing is left to receive");
            default -> throw new IOException(this + ": " + HubClient.describe(r));
        };
    }

    /**
     * Waits up to {@code timeout} until {@link #recv()} would not block: true when a message is there or the other
     * end is closed. {@code Duration.ZERO} does not wait.
     */
    public boolean poll(Duration timeout) throws IOException {
        Wire.Reply r = call(Wire.P_POLL, Shared.nanos(timeout));
        if (r.status() != Wire.OK) {
            throw new IOException(this + ": " + HubClient.describe(r));
        }
        return r.n() == 1;
    }

    /** Closes this end: the other end's {@code recv} reaches end of file once it has received what was sent. */
    @Override
    public void close() {
        try {
            call(Wire.P_CLOSE, 0);
        } catch (IOException e) {
            // the pipe is gone already
        }
    }

    private Wire.Reply call(byte op, long timeout, byte[]... blobs) throws IOException {
        try {
            return HubClient.of(ref).call(ref, op, timeout, end, blobs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(this + ": interrupted while waiting");
        } catch (SharedObjectGoneException e) {
            EOFException eof = new EOFException(e.getMessage());
            eof.initCause(e);
            throw eof;
        }
    }

    @Serial
    private Object readResolve() {
        try {
            HubClient.of(ref).send(ref, Wire.P_ATTACH, 0, end);
        } catch (RuntimeException e) {
            // the pipe's process is gone: using this end says so
        }
        return this;
    }

    @Override
    public String toString() {
        return (end == 0 ? "left" : "right") + " end of " + ref;
    }
}
