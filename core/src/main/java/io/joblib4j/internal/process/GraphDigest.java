package io.joblib4j.internal.process;

import com.dynatrace.hash4j.hashing.HashStream128;
import com.dynatrace.hash4j.hashing.HashValue128;
import io.joblib4j.array.NdArray;
import io.joblib4j.hash.Hash128;
import io.joblib4j.internal.SerializationHook;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.zip.Adler32;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * The content digest of an object graph as the channel would send it: XXH3-128 of its Java serialization stream, in
 * which every primitive array of {@value RawArray#MIN_BYTES} bytes or more stands as its type, length and place,
 * followed by the CRC-32 and Adler-32 of each such array's raw bytes ({@link #checksum}; on all cores when they add
 * up to {@value #PARALLEL_BYTES} bytes or more). Two graphs with the same digest serialize to the same graph, but for
 * a chance of about 2^-64 per changed array; nothing is allocated in proportion to the graph's size.
 *
 * <p>The process backend keeps a graph that tasks capture (the receiver of {@code big::method}) published across
 * calls under this digest, and a worker keeps its copy under it: a graph whose digest changed, in the caller or in the
 * worker (a task that modified its copy), is sent or read again. A graph holding an {@link NdArray} has no digest
 * (it may be a mapping that another process writes to) and is sent per call as before.
 */
public final class GraphDigest {
    private static final com.dynatrace.hash4j.hashing.Hasher128 XXH3 = com.dynatrace.hash4j.hashing.Hashing.xxh3_128();

    /**
     * A digest and the approximate size of the graph's serialized form.
     *
     * @param digest the content digest
     * @param bytes  the stream's bytes, counting each large array at its raw size
     */
    public record Result(Hash128 digest, long bytes) {}

    /** Large arrays adding up to at least this many bytes are hashed on all cores. */
    static final long PARALLEL_BYTES = 8L << 20;

    private static final int CHUNK = 1 << 16;

    private GraphDigest() {}

    /**
     * The digest of {@code graph}, or null if it holds an {@link NdArray}.
     *
     * @throws IOException if the graph cannot be serialized
     */
    public static @Nullable Result of(Object graph) throws IOException {
        HashingStream sink = new HashingStream();
        List<Object> large = new ArrayList<>();
        @Nullable UnaryOperator<Object> previous = SerializationHook.install(RefuseNdArray.INSTANCE);
        try (Out out = new Out(sink, large)) {
            out.writeObject(graph);
        } catch (HoldsNdArray e) {
            return null;
        } finally {
            SerializationHook.install(previous);
        }
        long largeBytes = 0;
        for (Object a : large) {
            largeBytes += ArrayFiles.byteSize(a);
        }
        IntStream indexes = IntStream.range(0, large.size());
        long[] sums = (largeBytes >= PARALLEL_BYTES && large.size() > 1 ? indexes.parallel() : indexes)
                .mapToLong(i -> checksum(large.get(i)))
                .toArray();
        HashStream128 all = sink.stream;
        all.putInt(sums.length);
        for (long sum : sums) {
            all.putLong(sum);
        }
        HashValue128 h = all.get();
        return new Result(
                new Hash128(h.getMostSignificantBits(), h.getLeastSignificantBits()), sink.count + largeBytes);
    }

    /**
     * CRC-32 and Adler-32 of the raw bytes of a large primitive array, 64 bits in all: both run in native code from
     * the first call, where an XXH3 pass over tens of megabytes in a worker JVM that has not compiled it yet takes
     * hundreds of milliseconds (the check at the end of a call is the first hashing a worker does).
     */
    static long checksum(Object array) {
        MemorySegment source = ArrayFiles.segmentOf(array);
        long bytes = source.byteSize();
        byte[] chunk = new byte[(int) Math.min(CHUNK, bytes)];
        MemorySegment chunkSegment = MemorySegment.ofArray(chunk);
        CRC32 crc = new CRC32();
        Adler32 adler = new Adler32();
        for (long off = 0; off < bytes; off += chunk.length) {
            int n = (int) Math.min(chunk.length, bytes - off);
            MemorySegment.copy(source, off, chunkSegment, 0, n);
            crc.update(chunk, 0, n);
            adler.update(chunk, 0, n);
        }
        return crc.getValue() << 32 | adler.getValue();
    }

    /** The serialization hook of the digest: an NdArray (which asks the hook first) ends it. */
    private enum RefuseNdArray implements UnaryOperator<Object> {
        INSTANCE;

        // NullAway: null tells NdArray.writeReplace to keep its own form, which UnaryOperator<Object> cannot say
        @SuppressWarnings("NullAway")
        @Override
        public @Nullable Object apply(Object obj) {
            if (obj instanceof NdArray) {
                throw new HoldsNdArray();
            }
            return null;
        }
    }

    /** Thrown out of the serialization when an NdArray is met: the graph has no digest. */
    private static final class HoldsNdArray extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        HoldsNdArray() {
            super(null, null, false, false);
        }
    }

    private static final class HashingStream extends OutputStream {
        final HashStream128 stream = XXH3.hashStream();
        long count;

        @Override
        public void write(int b) {
            stream.putByte((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            stream.putBytes(b, off, len);
            count += len;
        }
    }

    private static final class Out extends ObjectOutputStream {
        private final List<Object> large;

        Out(HashingStream sink, List<Object> large) throws IOException {
            super(sink);
            this.large = large;
            enableReplaceObject(true);
        }

        @Override
        protected Object replaceObject(Object obj) {
            if (obj instanceof NdArray) {
                throw new HoldsNdArray();
            }
            if (obj != null
                    && obj.getClass().isArray()
                    && obj.getClass().componentType().isPrimitive()
                    && !(obj instanceof boolean[])) {
                if (ArrayFiles.byteSize(obj) >= RawArray.MIN_BYTES) {
                    large.add(obj);
                    return new ArrayDigest(
                            obj.getClass().componentType().getName(),
                            java.lang.reflect.Array.getLength(obj),
                            large.size() - 1);
                }
            }
            return obj;
        }
    }

    /** Stands for a large primitive array in the digest's stream: its content is hashed after the stream. */
    private static final class ArrayDigest implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        private final String type;
        private final int length;
        private final int index;

        ArrayDigest(String type, int length, int index) {
            this.type = type;
            this.length = length;
            this.index = index;
        }

        @Override
        public String toString() {
            return type + "[" + length + "] #" + index;
        }
    }
}
