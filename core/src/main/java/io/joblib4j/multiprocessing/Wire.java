package io.joblib4j.multiprocessing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.jspecify.annotations.Nullable;

/**
 * The frames between a process using shared objects and the hub of the process that owns them, over a Unix domain
 * socket.
 *
 * <p>Client to hub: {@code HELLO(pid)} once, then requests {@code (id, object, op, a, b, blobs)}. Hub to client:
 * replies {@code (id, status, n, blobs)}, one per request except for {@link #Q_PUT_ASYNC}, which is answered only
 * when it fails. Blobs are serialized values, opaque to the hub for queues and pipes. A {@link #Q_PUT_ASYNC} request
 * carries one item or several: the items that one client put to the same queue back to back, in order.
 */
final class Wire {
    private Wire() {}

    // statuses
    static final byte OK = 0;
    static final byte TIMEOUT = 1;
    static final byte ERROR = 2;
    static final byte EOF = 3;
    static final byte CLOSED = 4;
    static final byte INTERRUPTED = 5;

    // ops
    static final byte CANCEL = 1;
    static final byte CLOSE = 2;

    static final byte Q_PUT = 10;
    static final byte Q_PUT_ASYNC = 11;
    static final byte Q_TAKE = 12;
    static final byte Q_SIZE = 13;
    static final byte Q_REMAINING = 14;
    static final byte Q_DRAIN = 15;
    static final byte Q_CLEAR = 16;
    static final byte Q_SNAPSHOT = 17;

    static final byte L_LOCK = 20;
    static final byte L_UNLOCK = 21;
    static final byte L_LOCKED = 22;

    static final byte S_ACQUIRE = 30;
    static final byte S_RELEASE = 31;
    static final byte S_AVAILABLE = 32;

    static final byte E_SET = 40;
    static final byte E_CLEAR = 41;
    static final byte E_IS_SET = 42;
    static final byte E_WAIT = 43;

    static final byte M_GET = 50;
    static final byte M_PUT = 51;
    static final byte M_PUT_IF_ABSENT = 52;
    static final byte M_REMOVE = 53;
    static final byte M_REMOVE_IF = 54;
    static final byte M_REPLACE = 55;
    static final byte M_REPLACE_IF = 56;
    static final byte M_SIZE = 57;
    static final byte M_CLEAR = 58;
    static final byte M_ENTRIES = 59;
    static final byte M_CONTAINS = 60;

    static final byte[][] NONE = new byte[0][];

    /** The greeting of a connection: the process id, the kind, and for a pipe end the pipe's number and the end. */
    static final int HELLO_BYTES = 8 + 4 + 4 + 4;
    /** A connection carrying requests and replies. */
    static final int HELLO_REQUESTS = 0;
    /** A connection of its own for one end of a pipe, carrying that end's messages both ways. */
    static final int HELLO_PIPE_END = 1;

    static ByteBuffer hello(int kind, int object, int end) {
        ByteBuffer b = ByteBuffer.allocate(HELLO_BYTES);
        b.putLong(ProcessHandle.current().pid())
                .putInt(kind)
                .putInt(object)
                .putInt(end)
                .flip();
        return b;
    }

    /** Reads exactly {@code n} bytes from a blocking channel, nothing more. */
    static ByteBuffer readExactly(SocketChannel channel, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                throw new EOFException("the connection ended after " + b.position() + " of " + n + " bytes");
            }
        }
        return b.flip();
    }

    static void writeFully(SocketChannel channel, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    /** A request as the hub reads it. */
    @SuppressWarnings("ArrayRecordComponent") // a decoded frame: never compared or hashed
    record Request(long id, int object, byte op, long a, long b, byte[][] blobs) {
        byte[] blob(int i) {
            return blobs[i];
        }
    }

    /** A reply as the client reads it. */
    @SuppressWarnings("ArrayRecordComponent") // a decoded frame: never compared or hashed
    record Reply(byte status, long n, byte[][] blobs) {
        byte[] blob(int i) {
            return blobs[i];
        }
    }

    static void writeRequest(DataOutputStream out, long id, int object, byte op, long a, long b, byte[]... blobs)
            throws IOException {
        out.writeLong(id);
        out.writeInt(object);
        out.writeByte(op);
        out.writeLong(a);
        out.writeLong(b);
        writeBlobs(out, blobs);
    }

    /** The bytes of a request with {@code blobs}, as {@link #writeRequest} writes it. */
    static int requestSize(byte[][] blobs) {
        int size = 8 + 4 + 1 + 8 + 8 + 4;
        for (byte[] b : blobs) {
            size += 4 + (b == null ? 0 : b.length);
        }
        return size;
    }

    /** Puts a request as {@link #writeRequest} writes it; {@code to} has {@link #requestSize} bytes left. */
    static void putRequest(ByteBuffer to, long id, int object, byte op, long a, long b, byte[]... blobs) {
        to.putLong(id).putInt(object).put(op).putLong(a).putLong(b).putInt(blobs.length);
        for (byte[] blob : blobs) {
            putBlob(to, blob);
        }
    }

    /** Writes {@code v} big-endian at {@code at} of {@code to}, as {@link ByteBuffer#putInt(int, int)} would. */
    static void intAt(byte[] to, int at, int v) {
        to[at] = (byte) (v >>> 24);
        to[at + 1] = (byte) (v >>> 16);
        to[at + 2] = (byte) (v >>> 8);
        to[at + 3] = (byte) v;
    }

    /** Puts one blob of a request or reply: its length (-1 for null), then its bytes. */
    static void putBlob(ByteBuffer to, byte @Nullable [] blob) {
        if (blob == null) {
            to.putInt(-1);
        } else {
            to.putInt(blob.length).put(blob);
        }
    }

    static Request readRequest(DataInputStream in) throws IOException {
        long id = in.readLong();
        int object = in.readInt();
        byte op = in.readByte();
        long a = in.readLong();
        long b = in.readLong();
        return new Request(id, object, op, a, b, readBlobs(in));
    }

    static void writeReply(DataOutputStream out, long id, byte status, long n, byte[]... blobs) throws IOException {
        out.writeLong(id);
        out.writeByte(status);
        out.writeLong(n);
        writeBlobs(out, blobs);
    }

    /** Reads a reply's id, then the reply. */
    static long readReplyId(DataInputStream in) throws IOException {
        return in.readLong();
    }

    static Reply readReply(DataInputStream in) throws IOException {
        byte status = in.readByte();
        long n = in.readLong();
        return new Reply(status, n, readBlobs(in));
    }

    private static void writeBlobs(DataOutputStream out, byte[][] blobs) throws IOException {
        out.writeInt(blobs.length);
        for (byte[] b : blobs) {
            if (b == null) {
                out.writeInt(-1);
            } else {
                out.writeInt(b.length);
                out.write(b);
            }
        }
    }

    private static byte[][] readBlobs(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 1 << 24) {
            throw new IOException("corrupt frame: " + n + " blobs");
        }
        byte[][] blobs = new byte[n][];
        for (int i = 0; i < n; i++) {
            int len = in.readInt();
            if (len >= 0) {
                blobs[i] = new byte[len];
                in.readFully(blobs[i]);
            }
        }
        return blobs;
    }
}
