package io.joblib4j.internal.process;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.jspecify.annotations.Nullable;

/**
 * The frames exchanged over the socket between the parent and a worker JVM. The channel is a Unix domain socket of
 * its own, never the worker's stdout or stderr, so nothing user code prints can corrupt it.
 *
 * <p>Parent to worker: {@code RUN(job, call, timed, initKey, init bytes|-1, batch bytes)}, {@code FORGET(call)},
 * {@code SHUTDOWN}.
 * Worker to parent: {@code HELLO(token, pid)}, {@code STARTED(job, index)} (timed jobs only),
 * {@code VALUES(job, values bytes)}, {@code DONE(job, values bytes, failure bytes|-1, retire)}.
 */
public final class Protocol {
    public static final byte HELLO = 1;
    public static final byte RUN = 2;
    public static final byte SHUTDOWN = 3;
    public static final byte STARTED = 4;
    public static final byte VALUES = 5;
    public static final byte DONE = 6;
    /** Parent to worker: the call has ended; drop its shared arrays (and unmap them). */
    public static final byte FORGET = 7;

    private Protocol() {}

    /** Writes a length-prefixed byte array; null is written as length -1. */
    public static void writeBytes(DataOutputStream out, byte @Nullable [] bytes) throws IOException {
        if (bytes == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(bytes.length);
            out.write(bytes);
        }
    }

    /** Reads what {@link #writeBytes} wrote. */
    public static byte @Nullable [] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    /**
     * An input stream over a blocking socket channel. Unlike some {@code Channels.newInputStream} implementations it
     * takes no lock shared with the channel's writers, so one thread may read while another writes.
     */
    public static InputStream input(SocketChannel channel) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                return channel.read(ByteBuffer.wrap(b, off, len));
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    /** An output stream over a blocking socket channel; see {@link #input}. */
    public static OutputStream output(SocketChannel channel) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }
}
