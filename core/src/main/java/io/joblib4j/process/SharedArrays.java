package io.joblib4j.process;

import io.joblib4j.array.MmapMode;
import io.joblib4j.array.NdArray;
import io.joblib4j.internal.TempFolders;
import io.joblib4j.internal.process.ArrayFiles;
import io.joblib4j.internal.process.Codec;
import io.joblib4j.internal.process.GraphDigest;
import io.joblib4j.internal.process.SharedArrayRef;
import io.joblib4j.internal.process.SharedGraphRef;
import io.joblib4j.internal.process.SharedNdArrayRef;
import io.joblib4j.parallel.ArraySharing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.SerializedLambda;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The large arrays of one call: while tasks are serialized, every primitive array or {@link NdArray} larger than
 * {@code maxNbytes} is written once to a file in the call's temp folder and replaced by a reference
 * ({@link SharedArrayRef}, {@link SharedNdArrayRef}); the same array object met again (in any task of the call)
 * reuses its file. An NdArray mapped from a file is sent as a reference to that file, in the mode it was mapped in
 * (the call's {@code mmapMode} applies to the files written here). Workers map NdArrays (no copy)
 * and read primitive arrays onto their heap (once per call). {@link #close()} deletes the folder.
 *
 * <p>A captured graph is looked up by content in the pool's {@link PublishedGraphs} first: an unchanged graph that an
 * earlier call published is not serialized or written again, and the workers keep their copy of it.
 */
final class SharedArrays implements UnaryOperator<Object>, AutoCloseable {
    private final @Nullable Path base;
    private final @Nullable Long maxNbytes;
    private final MmapMode mode;
    private final IdentityHashMap<Object, SharedArrayRef> written = new IdentityHashMap<>();
    private final IdentityHashMap<Object, Object> writtenNd = new IdentityHashMap<>();
    /** Captured graphs met so far: their {@link SharedGraphRef}, or {@link #NOT_SHARED} when small. */
    private final IdentityHashMap<Object, Object> graphs = new IdentityHashMap<>();

    private static final Object NOT_SHARED = new Object();
    /** Where captured graphs are published across calls, or null to write them per call. */
    private final @Nullable PublishedGraphs published;
    /** The published graphs this call holds, released by {@link #close()}. */
    private final List<PublishedGraphs.Key> held = new ArrayList<>();

    private @Nullable Path dir;
    private int files;
    private boolean sharedAny;
    private boolean closed;

    /**
     * The arrays of one call, shared as the spec's {@link ArraySharing} option says (its defaults if none), its
     * captured graphs published in {@code published} (null: per call).
     */
    static SharedArrays of(io.joblib4j.backend.WorkerSpec spec, @Nullable PublishedGraphs published) {
        ArraySharing sharing = spec.option(ArraySharing.class).orElse(ArraySharing.defaults());
        java.util.OptionalLong max = sharing.maxNbytes();
        return new SharedArrays(
                sharing.tempFolder().orElse(null),
                max.isPresent() ? max.getAsLong() : null,
                sharing.mmapMode(),
                published);
    }

    /**
     * @param base      the folder to create the call's folder in, or null for the default
     * @param maxNbytes arrays strictly larger than this are shared; null or negative: none
     */
    SharedArrays(
            @Nullable Path base,
            @Nullable Long maxNbytes,
            @Nullable MmapMode mode,
            @Nullable PublishedGraphs published) {
        this.base = base;
        this.mode = mode == null ? MmapMode.READ_ONLY : mode;
        this.maxNbytes = maxNbytes == null || maxNbytes < 0 ? null : maxNbytes;
        this.published = published;
    }

    // NullAway: null tells the serialization hook (SerializationHook.replace, read by NdArray.writeReplace) to keep
    // the array as it is, which UnaryOperator<Object> cannot say
    @SuppressWarnings("NullAway")
    @Override
    public synchronized @Nullable Object apply(Object obj) {
        if (obj instanceof NdArray nd) {
            return share(nd);
        }
        if (obj instanceof SerializedLambda lambda && maxNbytes != null && lambda.getCapturedArgCount() > 0) {
            return shareCaptures(lambda);
        }
        if (maxNbytes == null || obj == null || !obj.getClass().isArray()) {
            return obj;
        }
        long bytes = ArrayFiles.byteSize(obj);
        if (bytes <= maxNbytes) {
            return obj;
        }
        SharedArrayRef ref = written.get(obj);
        if (ref == null) {
            Path file = newFile();
            try {
                ref = ArrayFiles.write(obj, file);
            } catch (IOException e) {
                throw writeFailure(bytes, file, e);
            }
            written.put(obj, ref);
        }
        sharedAny = true;
        return ref;
    }

    /**
     * A lambda (or bound method reference) whose captured values include a graph serializing to more than
     * {@code maxNbytes}, with each such value replaced by a {@link SharedGraphRef}: the graph is serialized once per
     * call (its large arrays shared as usual) and read once per worker per call, instead of travelling with every
     * batch. This is the big-object pitfall of Python's {@code multiprocessing} ({@code self} pickled into every
     * task), which a call mapping {@code big::method} over many items would otherwise hit.
     */
    private Object shareCaptures(SerializedLambda lambda) {
        Object[] args = new Object[lambda.getCapturedArgCount()];
        boolean replaced = false;
        for (int i = 0; i < args.length; i++) {
            Object arg = lambda.getCapturedArg(i);
            Object shared = shareGraph(arg);
            args[i] = shared;
            replaced |= shared != arg;
        }
        if (!replaced) {
            return lambda;
        }
        try {
            return new SerializedLambda(
                    Class.forName(
                            lambda.getCapturingClass().replace('/', '.'),
                            false,
                            Thread.currentThread().getContextClassLoader()),
                    lambda.getFunctionalInterfaceClass(),
                    lambda.getFunctionalInterfaceMethodName(),
                    lambda.getFunctionalInterfaceMethodSignature(),
                    lambda.getImplMethodKind(),
                    lambda.getImplClass(),
                    lambda.getImplMethodName(),
                    lambda.getImplMethodSignature(),
                    lambda.getInstantiatedMethodType(),
                    args);
        } catch (ClassNotFoundException | LinkageError e) {
            return lambda; // the capturing class is not reachable by name from here: send the lambda as it is
        }
    }

    /** {@code obj}, or a reference to its serialized form in the call's folder when that is over maxNbytes. */
    private Object shareGraph(Object obj) {
        if (obj == null
                || obj instanceof String
                || obj instanceof Number
                || obj instanceof Boolean
                || obj instanceof Character
                || obj instanceof Enum<?>
                || obj instanceof Class<?>
                || (obj.getClass().isArray() && obj.getClass().componentType().isPrimitive())) {
            return obj;
        }
        Object known = graphs.get(obj);
        if (known != null) {
            return known == NOT_SHARED ? obj : known;
        }
        if (published != null) {
            GraphDigest.Result digest;
            try {
                digest = GraphDigest.of(obj);
            } catch (IOException | RuntimeException e) {
                graphs.put(obj, NOT_SHARED); // let the batch's own serialization report it, with the task's index
                return obj;
            }
            if (digest != null) {
                return publishGraph(obj, digest, published);
            }
        }
        byte[] bytes;
        try {
            bytes = Codec.encode(obj, this);
        } catch (IOException | RuntimeException e) {
            graphs.put(obj, NOT_SHARED); // let the batch's own serialization report it, with the task's index
            return obj;
        }
        Long max = maxNbytes;
        if (max == null || bytes.length <= max) { // shareGraph is used only when maxNbytes is set
            graphs.put(obj, NOT_SHARED);
            return obj;
        }
        Path file = writeGraph(bytes);
        SharedGraphRef ref = new SharedGraphRef(file.toString(), bytes.length);
        graphs.put(obj, ref);
        sharedAny = true;
        return ref;
    }

    /**
     * {@code obj}, or a reference to the file of its content published in the pool: the file an earlier call wrote
     * when the content is the same, else a new one, written through a {@link SharedArrays} of its own (whose files
     * live as long as the publication).
     */
    private Object publishGraph(Object obj, GraphDigest.Result digest, PublishedGraphs published) {
        Long max = maxNbytes;
        if (max == null || digest.bytes() <= max) { // about its serialized size: small graphs travel with the batch
            graphs.put(obj, NOT_SHARED);
            return obj;
        }
        PublishedGraphs.Key key = new PublishedGraphs.Key(digest.digest(), base, max, mode);
        SharedGraphRef ref = published.acquire(key);
        if (ref == null) {
            SharedArrays files = new SharedArrays(base, max, mode, null);
            byte[] bytes;
            try {
                bytes = Codec.encode(obj, files);
            } catch (IOException | RuntimeException e) {
                files.close();
                if (e instanceof WriteFailure w) {
                    throw w;
                }
                graphs.put(obj, NOT_SHARED); // let the batch's own serialization report it, with the task's index
                return obj;
            }
            Path file;
            try {
                file = files.writeGraph(bytes);
            } catch (RuntimeException e) {
                files.close();
                throw e;
            }
            ref = published.publish(
                    key,
                    files,
                    new SharedGraphRef(
                            file.toString(),
                            bytes.length,
                            true,
                            digest.digest().high(),
                            digest.digest().low()));
        }
        held.add(key);
        graphs.put(obj, ref);
        sharedAny = true;
        return ref;
    }

    /**
     * The reference a worker maps {@code nd} by: its own file for an array mapped from a file (whatever its size),
     * else a file of the call's folder for an array larger than {@code maxNbytes}; null to send it by value.
     */
    private @Nullable Object share(NdArray nd) {
        if (nd.mappedRef().isPresent()) {
            // A mapped array travels in the mode it was mapped in, as joblib re-maps a memmap in its own mode:
            // in-place writes to a READ_WRITE mapping reach the caller. The call's mode is for the files it writes.
            NdArray.MappedRef mapped = nd.mappedRef().get();
            sharedAny = true;
            return new SharedNdArrayRef(mapped, mapped.mode());
        }
        if (maxNbytes == null || nd.byteSize() <= maxNbytes) {
            return null;
        }
        SharedNdArrayRef ref = (SharedNdArrayRef) writtenNd.get(nd);
        if (ref == null) {
            Path file = newFile();
            try {
                ArrayFiles.writeSegment(nd.segment(), file);
            } catch (IOException e) {
                throw writeFailure(nd.byteSize(), file, e);
            }
            ref = new SharedNdArrayRef(
                    new NdArray.MappedRef(
                            file.toString(), 0, nd.dtype(), nd.order() == ByteOrder.BIG_ENDIAN, nd.shape(), mode),
                    mode);
            writtenNd.put(nd, ref);
        }
        sharedAny = true;
        return ref;
    }

    /** Writes a serialized graph to a new file of this call's folder and returns it. */
    private Path writeGraph(byte[] bytes) {
        Path file = newFile();
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw writeFailure(bytes.length, file, e);
        }
        return file;
    }

    private Path newFile() {
        if (closed) {
            throw new IllegalStateException("the call's shared arrays are already released");
        }
        if (dir == null) {
            dir = TempFolders.create(base, "call");
        }
        return dir.resolve("array-" + files++ + ".bin");
    }

    /** An array could not be written to the call's temp folder (full, read-only...): an I/O error, not the task's. */
    static final class WriteFailure extends UncheckedIOException {
        WriteFailure(String message, IOException cause) {
            super(message, cause);
        }
    }

    /** The failure to write {@code file}, which is removed, naming the folder and the room left in it. */
    private WriteFailure writeFailure(long bytes, Path file, IOException e) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the folder goes when the call ends
        }
        String room;
        try {
            java.nio.file.FileStore store = Files.getFileStore(dir);
            room = " (its file system, " + store + ", has " + store.getUsableSpace() + " of " + store.getTotalSpace()
                    + " bytes free)";
        } catch (IOException | RuntimeException ignored) {
            room = "";
        }
        return new WriteFailure(
                "cannot write a shared array of " + bytes + " bytes to the temp folder " + dir + room
                        + ": " + e.getMessage() + "; free some room there, or choose another folder (tempFolder,"
                        + " JOBLIB_TEMP_FOLDER) or a larger maxNbytes",
                e);
    }

    /** True if a reference to a file has been sent in place of an array. */
    synchronized boolean sharedAny() {
        return sharedAny;
    }

    /** The call's folder, or null if no array has been shared yet. */
    synchronized @Nullable Path folder() {
        return dir;
    }

    /** Deletes the call's folder and forgets its arrays. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        written.clear();
        writtenNd.clear();
        graphs.clear();
        if (dir != null) {
            TempFolders.delete(dir);
        }
        if (published != null) {
            for (PublishedGraphs.Key key : held) {
                published.release(key);
            }
        }
        held.clear();
    }
}
