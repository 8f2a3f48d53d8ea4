package io.joblib4j.internal.process;

import io.joblib4j.SerializableRunnable;
import io.joblib4j.backend.Batch;
import io.joblib4j.backend.BatchResult;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The main class of a worker JVM of the process backend. Started by the parent as
 * {@code java ... io.joblib4j.internal.process.WorkerMain <socket> <token> <parent-pid> <heap-growth-limit>}; connects
 * to the parent's socket, then runs the batches it receives one at a time in its main thread.
 *
 * <p>The worker exits when the parent dies, however it dies: the parent process ends, the channel closes, or (until
 * the parent accepts the worker) its stdin, a pipe from the parent, reaches end of file. It exits by itself after a batch if its heap use has grown by more
 * than the limit over its use after the first batch (a leak), telling the parent so in its last answer.
 */
public final class WorkerMain {
    private static final long FLUSH_NANOS = 20_000_000L;
    /** Tasks taking at least this long on average have their values sent one by one (the send costs under 10%). */
    private static final long PER_TASK_FLUSH_NANOS = 50_000L;

    private static final long GC_INTERVAL_NANOS = 1_000_000_000L;
    /** Exit codes of a worker that stops before the parent has accepted it; each comes with a line on stderr. */
    static final int EXIT_USAGE = 2;

    static final int EXIT_PARENT_GONE = 3;
    static final int EXIT_STDIN_CLOSED = 4;
    static final int EXIT_REFUSED = 5;
    /** Set once the parent has sent a first frame: from then on, the parent's end is a normal exit. */
    private static volatile boolean accepted;

    private final DataInputStream in;
    private final DataOutputStream out;
    private final String name;
    private final long heapGrowthLimit;
    private final Map<String, Object> arrays = new HashMap<>();
    /** Captured graphs published with a digest, kept across calls: dropped after a call that did not use them. */
    private final Map<io.joblib4j.hash.Hash128, KeptGraph> kept = new HashMap<>();

    private long currentCall = -1;
    /** Batches run so far: a kept copy checked when this count was the same has not been touched by a task since. */
    private long batchesRun;

    private long initializedKey;
    private long heapBaseline = -1;
    private long lastGc;

    private WorkerMain(SocketChannel channel, long heapGrowthLimit) {
        this.in = new DataInputStream(new BufferedInputStream(Protocol.input(channel), 1 << 16));
        this.out = new DataOutputStream(new BufferedOutputStream(Protocol.output(channel), 1 << 16));
        this.name = "worker-" + ProcessHandle.current().pid();
        this.heapGrowthLimit = heapGrowthLimit;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("joblib4j worker: expected the arguments <socket> <token> <parent-pid>"
                    + " <heap-growth-limit-bytes>, got " + java.util.Arrays.toString(args));
            System.exit(EXIT_USAGE);
        }
        long token;
        long parentPid;
        long heapGrowthLimit;
        try {
            token = Long.parseLong(args[1]);
            parentPid = Long.parseLong(args[2]);
            heapGrowthLimit = Long.parseLong(args[3]);
        } catch (NumberFormatException e) {
            System.err.println("joblib4j worker: the token, parent pid and heap growth limit must be numbers, got "
                    + java.util.Arrays.toString(args));
            System.exit(EXIT_USAGE);
            return;
        }
        watchParent(parentPid);
        // native codecs load from the per-user cache, so a killed worker leaves no copy of them in /tmp
        io.joblib4j.internal.NativeLibraries.prepareFromParent();
        SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(args[0]));
        WorkerMain worker = new WorkerMain(channel, heapGrowthLimit);
        worker.out.writeByte(Protocol.HELLO);
        worker.out.writeLong(token);
        worker.out.writeLong(ProcessHandle.current().pid());
        worker.out.flush();
        int code = worker.loop();
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /** How often the worker checks that its parent is alive. */
    private static final long WATCH_MILLIS = 100;

    /**
     * Exits as soon as the parent is gone: its pid is polled every {@value #WATCH_MILLIS} ms from a sleeping thread,
     * and until the parent accepts this worker, stdin (a pipe from the parent) is read in another: it closes when the
     * parent dies, whatever killed it. Before the parent has accepted this worker, the exit is explained on stderr
     * with a code of its own: a parent still alive then (the pid not visible from here, as in another PID namespace,
     * or its stdin closed by something else) sees why. Once it accepts the worker, the parent writes one byte to its
     * stdin, which ends the read: a thread left inside a native read would delay the worker's exit by 300 ms (the JVM
     * waits that long at exit for threads in native code); from then on the pid watch and the channel see the
     * parent's end.
     */
    private static void watchParent(long parentPid) {
        ProcessHandle parent = ProcessHandle.of(parentPid).orElse(null);
        if (parent == null) {
            stop(
                    EXIT_PARENT_GONE,
                    "the parent process " + parentPid + " is not running or not visible"
                            + " from this process (another PID namespace?)");
            return;
        }
        Thread pid = new ParentWatch(parent);
        pid.setDaemon(true);
        pid.start();
        Thread stdin = new StdinWatch(parentPid);
        stdin.setDaemon(true);
        stdin.start();
    }

    private static final class ParentWatch extends Thread {
        private final ProcessHandle parent;

        ParentWatch(ProcessHandle parent) {
            super("joblib4j-parent-watch-" + parent.pid());
            this.parent = parent;
        }

        @Override
        public void run() {
            try {
                while (parent.isAlive()) {
                    Thread.sleep(WATCH_MILLIS);
                }
            } catch (InterruptedException e) {
                // nobody interrupts this thread; leave as if the parent were gone
            }
            WorkerMain.stop(EXIT_PARENT_GONE, "the parent process " + parent.pid() + " exited");
        }
    }

    private static final class StdinWatch extends Thread {
        private final long parentPid;

        StdinWatch(long parentPid) {
            super("joblib4j-stdin-watch");
            this.parentPid = parentPid;
        }

        @Override
        public void run() {
            try {
                if (System.in.read() >= 0) {
                    return; // the parent accepted this worker: the read is over, the pid watch goes on
                }
            } catch (IOException e) {
                // closed: same as end of file
            }
            WorkerMain.stop(
                    EXIT_STDIN_CLOSED, "its stdin, a pipe from the parent process " + parentPid + ", was closed");
        }
    }

    /** Halts: at once with 0 once accepted (the parent is gone), else with {@code code} after saying why. */
    private static void stop(int code, String why) {
        if (accepted) {
            Runtime.getRuntime().halt(0);
        }
        System.err.println("joblib4j worker " + ProcessHandle.current().pid() + ": exiting before the parent accepted"
                + " it: " + why);
        System.err.flush();
        Runtime.getRuntime().halt(code);
    }

    private int loop() throws IOException {
        while (true) {
            byte type;
            try {
                type = in.readByte();
            } catch (IOException e) {
                if (!accepted) {
                    stop(
                            EXIT_REFUSED,
                            "the parent closed the channel without sending anything (it did not know this"
                                    + " worker's token, or it is shutting down): " + e);
                }
                if (e instanceof EOFException) {
                    return 0;
                }
                throw e;
            }
            accepted = true;
            switch (type) {
                case Protocol.RUN -> {
                    if (run()) {
                        return 0;
                    }
                }
                case Protocol.FORGET -> {
                    long call = in.readLong();
                    keepCopiesOf(call);
                    if (call == currentCall && !arrays.isEmpty()) {
                        arrays.clear();
                        currentCall = -1;
                        System.gc(); // unmaps the call's files, whose memory /dev/shm frees only then
                    }
                }
                case Protocol.SHUTDOWN -> {
                    return 0;
                }
                default -> throw new IOException("unknown frame type " + type + " from the parent");
            }
        }
    }

    /** Runs one batch and answers; returns true if this worker retires after it. */
    private boolean run() throws IOException {
        long job = in.readLong();
        long call = in.readLong();
        boolean timed = in.readBoolean();
        long initKey = in.readLong();
        byte[] init = Protocol.readBytes(in);
        byte[] payload = Protocol.readBytes(in);
        if (call != currentCall) {
            arrays.clear();
            currentCall = call;
        }
        long start = System.nanoTime();
        Throwable setupFailure = null;
        Batch batch = null;
        try {
            if (init != null && initKey != initializedKey) {
                SerializableRunnable initializer = (SerializableRunnable) Codec.decode(init, null);
                initializer.run();
                initializedKey = initKey;
            }
            batch = (Batch) Codec.decode(Objects.requireNonNull(payload, "batch payload"), this::resolve);
        } catch (Throwable t) {
            setupFailure = t;
        }
        Sender sender = new Sender(job, timed);
        BatchResult result;
        if (setupFailure != null || batch == null) { // batch is set when setup did not fail
            result = null;
        } else {
            result = batch.runAll(name, sender);
            batchesRun++;
        }
        List<@Nullable Object> values = result == null ? List.of() : result.values();
        Throwable failure = result == null ? setupFailure : result.failure();
        boolean retire = checkHeap();
        sender.done(values, failure, retire, System.nanoTime() - start);
        if (heapGrowthLimit > 0 && heapBaseline < 0) {
            // The baseline is taken once, after the first answer is sent, so the collection does not delay it.
            System.gc();
            Runtime rt = Runtime.getRuntime();
            heapBaseline = rt.totalMemory() - rt.freeMemory();
            lastGc = System.nanoTime() - GC_INTERVAL_NANOS; // the next check may collect at once
        }
        return retire;
    }

    /** A worker's copy of a published graph, and the last call whose tasks were given it. */
    private static final class KeptGraph {
        final Object graph;
        final io.joblib4j.hash.Hash128 digest;
        long checkedCall;
        /** The count of batches run when the copy's digest was last found unchanged, or -1. */
        long cleanAt = -1;

        KeptGraph(Object graph, io.joblib4j.hash.Hash128 digest, long checkedCall) {
            this.graph = graph;
            this.digest = digest;
            this.checkedCall = checkedCall;
        }

        /** True if the copy's digest is still the published one. */
        boolean unchanged() {
            try {
                GraphDigest.Result now = GraphDigest.of(graph);
                return now != null && now.digest().equals(digest);
            } catch (IOException | RuntimeException e) {
                return false; // read it again
            }
        }
    }

    /**
     * At the end of call {@code call}: drops the kept copies it did not use, and checks those it used now, while the
     * parent collects the results, so that the next call of the same graph finds them checked.
     */
    private void keepCopiesOf(long call) {
        kept.values().removeIf(k -> k.checkedCall < call);
        kept.values().removeIf(k -> {
            if (k.checkedCall != call || k.cleanAt == batchesRun) {
                return false;
            }
            if (!k.unchanged()) {
                return true; // a task changed it: read again when needed
            }
            k.cleanAt = batchesRun;
            return false;
        });
    }

    /**
     * This worker's copy of the published graph {@code g}: the copy kept from an earlier call if its digest is still
     * the published one (checked once per call, or at the end of the last call if no batch ran since: a task may have
     * modified it), else the file read again.
     */
    private Object keptGraph(SharedGraphRef g) {
        io.joblib4j.hash.Hash128 digest = new io.joblib4j.hash.Hash128(g.digestHigh(), g.digestLow());
        KeptGraph k = kept.get(digest);
        if (k != null && k.checkedCall == currentCall) {
            return k.graph;
        }
        if (k != null) {
            // checked since the last batch ran (at the end of the call that used it), or checked now
            if (k.cleanAt == batchesRun || k.unchanged()) {
                k.checkedCall = currentCall;
                return k.graph;
            }
            kept.remove(digest);
        }
        Object graph = readGraph(g);
        kept.put(digest, new KeptGraph(graph, digest, currentCall));
        return graph;
    }

    private Object readGraph(SharedGraphRef g) {
        try {
            return Codec.decode(java.nio.file.Files.readAllBytes(java.nio.file.Path.of(g.path())), this::resolve);
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException(
                    "cannot read the shared object graph " + g.path() + " (" + g.bytes() + " bytes): " + e, e);
        }
    }

    private Object resolve(Object obj) {
        if (obj instanceof SharedGraphRef g && g.digested()) {
            return keptGraph(g);
        }
        if (obj instanceof SharedGraphRef g) {
            // not computeIfAbsent: deserializing the graph resolves its own arrays into the same map
            Object graph = arrays.get(g.path());
            if (graph == null) {
                graph = readGraph(g);
                arrays.put(g.path(), graph);
            }
            return graph;
        }
        if (obj instanceof SharedNdArrayRef nd) {
            return arrays.computeIfAbsent(nd.key(), k -> {
                try {
                    return nd.ref().map(nd.mode());
                } catch (IOException e) {
                    throw new UncheckedIOException(
                            "cannot map the shared array " + nd.ref().file() + ": " + e.getMessage(), e);
                }
            });
        }
        if (obj instanceof SharedArrayRef ref) {
            return arrays.computeIfAbsent(ref.path(), p -> {
                try {
                    return ArrayFiles.read(ref);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read the shared array " + p + ": " + e.getMessage(), e);
                }
            });
        }
        return obj;
    }

    private boolean checkHeap() {
        if (heapGrowthLimit <= 0) {
            return false;
        }
        Runtime rt = Runtime.getRuntime();
        long used = rt.totalMemory() - rt.freeMemory();
        if (heapBaseline < 0) {
            return false; // no baseline before the first batch has been answered
        }
        if (used - heapBaseline <= heapGrowthLimit) {
            return false;
        }
        long now = System.nanoTime();
        if (now - lastGc < GC_INTERVAL_NANOS) {
            return false;
        }
        lastGc = now;
        System.gc();
        used = rt.totalMemory() - rt.freeMemory();
        return used - heapBaseline > heapGrowthLimit;
    }

    /**
     * Streams the values of a running batch to the parent: task by task when timed or when tasks take 50 us or more on
     * average, else every 20 ms at most.
     */
    private final class Sender implements Batch.TaskWatch {
        private final long job;
        private final boolean timed;
        private int sent;
        private final long batchStart = System.nanoTime();
        private long lastFlush = batchStart;

        Sender(long job, boolean timed) {
            this.job = job;
            this.timed = timed;
        }

        @Override
        public void started(int indexInBatch, List<@Nullable Object> valuesSoFar) {
            try {
                long now = System.nanoTime();
                // Values sent before the next task starts survive a crash in it, so the crash is blamed on the right
                // task; for tasks of a few microseconds that would cost more than the tasks, so they go in groups.
                if (indexInBatch > sent
                        && (timed
                                || now - lastFlush > FLUSH_NANOS
                                || (now - batchStart) / indexInBatch >= PER_TASK_FLUSH_NANOS)) {
                    byte[] bytes = encodeValues(valuesSoFar, sent);
                    if (bytes != null) {
                        out.writeByte(Protocol.VALUES);
                        out.writeLong(job);
                        Protocol.writeBytes(out, bytes);
                        sent = indexInBatch;
                        lastFlush = now;
                    }
                }
                if (timed) {
                    out.writeByte(Protocol.STARTED);
                    out.writeLong(job);
                    out.writeInt(indexInBatch);
                    out.flush();
                } else if (lastFlush == now) {
                    out.flush();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("lost the channel to the parent", e);
            }
        }

        @Override
        public void finished(int indexInBatch) {}

        /** The values from {@code from} on, serialized, or null if one of them cannot be (left to {@link #done}). */
        private byte @Nullable [] encodeValues(List<@Nullable Object> values, int from) {
            try {
                return Codec.encode(new ArrayList<>(values.subList(from, values.size())), null);
            } catch (Exception e) {
                return null;
            }
        }

        void done(List<@Nullable Object> values, @Nullable Throwable failure, boolean retire, long nanos)
                throws IOException {
            List<@Nullable Object> rest = new ArrayList<>(values.subList(sent, values.size()));
            byte[] bytes;
            try {
                bytes = Codec.encode(rest, null);
            } catch (Exception e) {
                int bad = 0;
                while (bad < rest.size() && serializable(rest.get(bad))) {
                    bad++;
                }
                Object value = rest.get(Math.min(bad, rest.size() - 1));
                rest = new ArrayList<>(rest.subList(0, bad));
                bytes = Codec.encode(rest, null);
                NotSerializableException f = new NotSerializableException("the result of the task, of class "
                        + (value == null ? "null" : value.getClass().getName())
                        + ", cannot be serialized to send it back from the worker: " + e);
                failure = f;
            }
            out.writeByte(Protocol.DONE);
            out.writeLong(job);
            Protocol.writeBytes(out, bytes);
            Protocol.writeBytes(out, failure == null ? null : encodeFailure(failure));
            out.writeBoolean(retire);
            out.writeLong(nanos);
            out.flush();
        }
    }

    private static boolean serializable(Object value) {
        try {
            Codec.encode(value, null);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static byte[] encodeFailure(Throwable failure) throws IOException {
        try {
            return Codec.encode(failure, null);
        } catch (Exception e) {
            return Codec.encode(new RemoteFailure(failure, "the exception could not be serialized: " + e), null);
        }
    }
}
