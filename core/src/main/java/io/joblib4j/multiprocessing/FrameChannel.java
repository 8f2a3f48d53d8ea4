package io.joblib4j.multiprocessing;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Length-prefixed messages over one socket, read and written by the calling threads themselves (no reader thread, no
 * hand-off): the channel is non-blocking and a thread that has to wait waits in a {@link Selector}, so an interrupt
 * ends the wait without closing the channel (a blocking channel is closed by an interrupt).
 *
 * <p>One reader and one writer at a time (each side has its own lock); a reader and a writer may work at once.
 */
final class FrameChannel implements AutoCloseable {
    private static final int MAX_FRAME = Integer.MAX_VALUE - 16;

    private final SocketChannel channel;
    private final Object readLock = new Object();
    private final Object writeLock = new Object();
    private final Selector readSelector;
    private final Selector writeSelector;
    /** Bytes read and not yet consumed, between position and limit. */
    private ByteBuffer in = ByteBuffer.allocate(1 << 16).flip();

    private volatile boolean eof;

    FrameChannel(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        readSelector = Selector.open();
        writeSelector = Selector.open();
        channel.register(readSelector, SelectionKey.OP_READ);
        channel.register(writeSelector, SelectionKey.OP_WRITE);
    }

    /** Sends one message; waits while the socket's buffer is full. */
    void write(byte[] message) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(4).putInt(message.length).flip();
        ByteBuffer body = ByteBuffer.wrap(message);
        ByteBuffer[] both = {head, body};
        synchronized (writeLock) {
            while (body.hasRemaining()) {
                if (channel.write(both) == 0) {
                    writeSelector.select(1000);
                    writeSelector.selectedKeys().clear();
                    if (!channel.isOpen()) {
                        throw new IOException("the connection is closed");
                    }
                }
            }
        }
    }

    /**
     * The next message, waiting up to {@code nanos} (negative: no limit, 0: no wait); null if none came in time.
     *
     * @throws EOFException            when the other side closed the connection (or its process died) and every
     *                                 message it sent has been read
     * @throws InterruptedIOException  if the thread is interrupted while waiting (its interrupt status is kept)
     */
    byte @Nullable [] read(long nanos) throws IOException {
        return readFrame(nanos);
    }

    /** The next message, waiting without a time limit (ends with a message or an exception, never null). */
    byte[] read() throws IOException {
        return Objects.requireNonNull(readFrame(-1), "message");
    }

    private byte @Nullable [] readFrame(long nanos) throws IOException {
        synchronized (readLock) {
            long deadline = nanos > 0 ? System.nanoTime() + nanos : 0;
            while (true) {
                byte[] m = frame();
                if (m != null) {
                    return m;
                }
                if (eof) {
                    throw new EOFException("the other side closed the connection");
                }
                if (fill() > 0) {
                    continue;
                }
                if (eof) {
                    continue;
                }
                long left = nanos < 0 ? -1 : nanos == 0 ? 0 : deadline - System.nanoTime();
                if (nanos >= 0 && left <= 0) {
                    return null;
                }
                await(left);
            }
        }
    }

    /** True if a message (or the end of the connection) can be read now or arrives within {@code nanos}. */
    boolean poll(long nanos) throws IOException {
        synchronized (readLock) {
            long deadline = nanos > 0 ? System.nanoTime() + nanos : 0;
            while (true) {
                if (hasFrame() || eof) {
                    return true;
                }
                if (fill() > 0 || eof) {
                    continue;
                }
                long left = nanos < 0 ? -1 : nanos == 0 ? 0 : deadline - System.nanoTime();
                if (nanos >= 0 && left <= 0) {
                    return false;
                }
                await(left);
            }
        }
    }

    private void await(long nanos) throws IOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted while waiting for a message");
        }
        readSelector.select(nanos < 0 ? 0 : Math.max(1, nanos / 1_000_000));
        readSelector.selectedKeys().clear();
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted while waiting for a message");
        }
    }

    private boolean hasFrame() {
        return in.remaining() >= 4 && in.remaining() - 4 >= in.getInt(in.position());
    }

    private byte @Nullable [] frame() throws IOException {
        if (in.remaining() < 4) {
            return null;
        }
        int len = in.getInt(in.position());
        if (len < 0 || len > MAX_FRAME) {
            throw new IOException("corrupt message length " + len);
        }
        if (in.remaining() - 4 < len) {
            if (in.capacity() < len + 4) {
                ByteBuffer bigger = ByteBuffer.allocate(len + 4);
                bigger.put(in).flip();
                in = bigger;
            }
            return null;
        }
        in.getInt();
        byte[] m = new byte[len];
        in.get(m);
        return m;
    }

    /** Reads what is there without waiting; the number of bytes read (0 if none; sets {@link #eof} at the end). */
    private int fill() throws IOException {
        in.compact();
        try {
            int n = channel.read(in);
            if (n < 0) {
                eof = true;
                return 0;
            }
            return n;
        } catch (IOException e) {
            if (!channel.isOpen()) {
                eof = true;
                return 0;
            }
            throw e;
        } finally {
            in.flip();
        }
    }

    /** Ends what this side sends: the other side reads end of file once it has read every message. */
    void shutdownOutput() {
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            // closed already
        }
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closed anyway
        }
        // a thread waiting in a selector wakes, finds the channel closed and leaves; then the selectors go
        readSelector.wakeup();
        writeSelector.wakeup();
        synchronized (readLock) {
            closeQuietly(readSelector);
        }
        synchronized (writeLock) {
            closeQuietly(writeSelector);
        }
    }

    private static void closeQuietly(Selector s) {
        try {
            s.close();
        } catch (IOException e) {
            // closed anyway
        }
    }
}
