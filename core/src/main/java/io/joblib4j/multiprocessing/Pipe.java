package io.joblib4j.multiprocessing;

/**
 * Two connected {@link Connection}s: Python's {@code multiprocessing.Pipe}. What one end sends, the other receives,
 * in order. Pass an end to another process by capturing it in a {@link JvmProcess} target or a task; that process
 * then holds it, and when it exits (or closes the end), {@link Connection#recv()} at the other end throws
 * {@link java.io.EOFException} once the messages already sent have been received.
 *
 * <pre>{@code
 * Pipe pipe = Pipe.open();
 * Connection child = pipe.right();
 * JvmProcess p = new JvmProcess(() -> { try { child.send("hello"); } catch (IOException e) { throw new UncheckedIOException(e); } });
 * p.start();
 * pipe.left().recv();   // "hello"
 * p.join();
 * }</pre>
 *
 * <p>The pipe lives in the process that opened it; if that process exits, both ends fail ({@code recv} with
 * {@link java.io.EOFException}).
 */
public final class Pipe {
    private final Connection left;
    private final Connection right;

    private Pipe(Connection left, Connection right) {
        this.left = left;
        this.right = right;
    }

    /** A duplex pipe: each end sends and receives. */
    public static Pipe open() {
        return open(true);
    }

    /**
     * A pipe, duplex or not. A one-way pipe ({@code duplex == false}), as Python's {@code Pipe(False)}: the
     * {@link #left()} end only receives and the {@link #right()} end only sends.
     */
    public static Pipe open(boolean duplex) {
        HubRef ref = Hub.get().register(new HubObject.Pipe(), duplex ? "Pipe" : "one-way Pipe");
        return new Pipe(new Connection(ref, 0, duplex), new Connection(ref, 1, duplex));
    }

    /** The left end (the receiving end of a one-way pipe). */
    public Connection left() {
        return left;
    }

    /** The right end (the sending end of a one-way pipe). */
    public Connection right() {
        return right;
    }
}
