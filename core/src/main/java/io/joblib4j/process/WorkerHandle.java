package io.joblib4j.process;

import io.joblib4j.internal.process.ClassDataArchive;
import io.joblib4j.internal.process.Codec;
import io.joblib4j.internal.process.ExitStatus;
import io.joblib4j.internal.process.JvmLauncher;
import io.joblib4j.internal.process.Protocol;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One worker JVM as the parent sees it: the process, its channel, and the owner (a {@link CallWorkers}) that its
 * frames and its death are reported to. An idle worker in the pool has no owner.
 */
final class WorkerHandle {
    /** Receives a worker's events; called from the worker's reader thread or the process exit watcher. */
    interface Owner {
        void ready(WorkerHandle worker);

        void started(WorkerHandle worker, long job, int index);

        void values(WorkerHandle worker, long job, List<@Nullable Object> values);

        void done(
                WorkerHandle worker,
                long job,
                List<@Nullable Object> values,
                @Nullable Throwable failure,
                boolean retire,
                long nanos);

        void exited(WorkerHandle worker, String status);
    }

    private final WorkerPool pool;
    private final long token;
    private final Process process;
    private final String name;
    private volatile @Nullable Owner owner;
    private volatile boolean ready;
    private volatile boolean dead;
    private volatile boolean retiring;
    private volatile @Nullable Thread reader;
    private final Thread stderrPump;
    /** The end of what the worker wrote to its stderr, quoted when it fails to start. */
    private final JvmLauncher.OutputTail stderrTail = new JvmLauncher.OutputTail(4096);

    private volatile @Nullable SocketChannel channel;
    private @Nullable DataOutputStream out;
    /** The initializer this worker has been sent (0: none). Guarded by the owner. */
    long initKey;
    /** Bytes of values and failures received so far; written by the reader thread only. */
    volatile long bytesReceived;
    /** Tasks run so far. Guarded by the owner. */
    int tasksRun;
    /** When it last became idle in the pool, in nanoTime. Guarded by the pool. */
    long idleSince;

    WorkerHandle(WorkerPool pool, long token, Process process, Owner owner) {
        this.pool = pool;
        this.token = token;
        this.process = process;
        this.owner = owner;
        this.name = "worker-" + process.pid();
        JvmLauncher.forward(process.getInputStream(), () -> System.out, name + "-stdout", null);
        this.stderrPump = JvmLauncher.forward(process.getErrorStream(), () -> System.err, name + "-stderr", stderrTail);
        // exited() handles its own failures and nothing waits for it: the stage it returns is not needed
        var _ = process.onExit().thenRunAsync(this::exited, WorkerPool.EVENTS);
    }

    // Only this worker's reader thread writes the counter; volatile makes it visible to the threads that read it.
    @SuppressWarnings("NonAtomicVolatileUpdate")
    private void received(long bytes) {
        bytesReceived += bytes;
    }

    long token() {
        return token;
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isReady() {
        return ready && !dead;
    }

    boolean isDead() {
        return dead;
    }

    boolean wasReady() {
        return ready;
    }

    boolean isRetiring() {
        return retiring;
    }

    @Nullable
    Owner owner() {
        return owner;
    }

    void owner(@Nullable Owner owner) {
        this.owner = owner;
    }

    /** The channel connected: start reading frames and announce the worker ready. */
    void connected(SocketChannel channel, DataInputStream in) {
        this.channel = channel;
        if (dead) {
            closeChannel(); // the process ended while its hello was on its way
            return;
        }
        this.out = new DataOutputStream(new BufferedOutputStream(Protocol.output(channel), 1 << 16));
        try {
            // accepted: the worker stops reading its stdin, so that no thread of it is in a native read at its exit
            // (the JVM would wait 300 ms for it); the pipe stays open
            process.getOutputStream().write(1);
            process.getOutputStream().flush();
        } catch (IOException e) {
            // the worker is gone: its exit is reported
        }
        Thread t = new Thread(() -> read(in), name + "-reader");
        t.setDaemon(true);
        reader = t;
        ready = true;
        t.start();
        Owner o = pool.connected(this);
        if (o != null) {
            o.ready(this);
        }
    }

    /** Sends a batch. */
    void run(long job, long call, boolean timed, long initKey, byte @Nullable [] init, byte[] payload)
            throws IOException {
        synchronized (this) {
            if (out == null) {
                throw new IOException(name + " is not connected");
            }
            out.writeByte(Protocol.RUN);
            out.writeLong(job);
            out.writeLong(call);
            out.writeBoolean(timed);
            out.writeLong(initKey);
            Protocol.writeBytes(out, init);
            Protocol.writeBytes(out, payload);
            out.flush();
        }
    }

    /** Tells the worker that call {@code call} has ended, so it drops the arrays it shared. */
    void forget(long call) {
        synchronized (this) {
            try {
                if (out != null && !dead) {
                    out.writeByte(Protocol.FORGET);
                    out.writeLong(call);
                    out.flush();
                }
            } catch (IOException e) {
                // the worker is going away anyway
            }
        }
    }

    /** Asks the worker to exit after its current batch; it is no longer given work. */
    void retire() {
        retiring = true;
        synchronized (this) {
            try {
                if (out != null) {
                    out.writeByte(Protocol.SHUTDOWN);
                    out.flush();
                }
            } catch (IOException e) {
                kill();
            }
        }
    }

    /** Whether this worker writes the class-data archive when it exits ({@link ClassDataArchive}). */
    boolean writesClassArchive() {
        return ClassDataArchive.writes(process);
    }

    /** Marks the worker as leaving by itself (it said so in its last answer). */
    void retiredByItself() {
        retiring = true;
    }

    /** Kills the worker and the processes it started, at once (SIGKILL). */
    void kill() {
        retiring = true;
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private void read(DataInputStream in) {
        try {
            while (true) {
                byte type = in.readByte();
                switch (type) {
                    case Protocol.STARTED -> {
                        long job = in.readLong();
                        int index = in.readInt();
                        Owner o = owner;
                        if (o != null) {
                            o.started(this, job, index);
                        }
                    }
                    case Protocol.VALUES -> {
                        long job = in.readLong();
                        byte[] bytes = Protocol.readBytes(in);
                        received(bytes == null ? 0 : bytes.length);
                        Owner o = owner;
                        if (o != null) {
                            o.values(this, job, decodeValues(bytes));
                        }
                    }
                    case Protocol.DONE -> {
                        long job = in.readLong();
                        byte[] values = Protocol.readBytes(in);
                        byte[] failure = Protocol.readBytes(in);
                        boolean retire = in.readBoolean();
                        long nanos = in.readLong();
                        received((values == null ? 0 : values.length) + (failure == null ? 0 : failure.length));
                        List<@Nullable Object> decoded;
                        Throwable thrown = null;
                        try {
                            decoded = decodeValues(values);
                        } catch (IllegalStateException e) {
                            decoded = List.of();
                            thrown = e;
                        }
                        if (thrown == null && failure != null) {
                            thrown = decodeFailure(failure);
                        }
                        if (retire) {
                            retiring = true;
                        }
                        Owner o = owner;
                        if (o != null) {
                            o.done(this, job, decoded, thrown, retire, nanos);
                        }
                    }
                    default -> throw new IOException("unknown frame type " + type + " from " + name);
                }
            }
        } catch (IOException e) {
            // end of the channel: the process exit watcher reports what happened
        }
    }

    @SuppressWarnings("unchecked")
    private List<@Nullable Object> decodeValues(byte @Nullable [] bytes) {
        if (bytes == null) { // the protocol always sends a list; was a NullPointerException wrapped below
            throw new IllegalStateException("cannot deserialize the results sent by " + name + ": none were sent");
        }
        try {
            return (List<@Nullable Object>) Codec.decode(bytes, null);
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            throw new IllegalStateException("cannot deserialize the results sent by " + name + ": " + e, e);
        }
    }

    private Throwable decodeFailure(byte[] bytes) {
        try {
            return (Throwable) Codec.decode(bytes, null);
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            return new IllegalStateException("cannot deserialize the exception sent by " + name + ": " + e, e);
        }
    }

    private void exited() {
        Thread t = reader;
        if (t != null) {
            try {
                t.join(1000); // let the last frames already sent be read before reporting the exit
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        dead = true;
        closeChannel();
        String status = ExitStatus.describe(process.exitValue());
        pool.removed(this);
        Owner o = owner;
        if (o != null) {
            o.exited(this, status);
        }
    }

    /**
     * The last lines the worker wrote to its stderr (up to 4 KiB), once it has exited or after waiting up to
     * {@code waitMillis} for its stderr to end.
     */
    String stderrTail(long waitMillis) {
        try {
            stderrPump.join(waitMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return stderrTail.text();
    }

    /** Closes the channel (its socket's file descriptor), however the worker ended. */
    private void closeChannel() {
        SocketChannel ch = channel;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // closed anyway
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
