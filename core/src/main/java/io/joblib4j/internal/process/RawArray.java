package io.joblib4j.internal.process;

import java.io.Externalizable;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A large primitive array in the channel's serialized form, written as raw native-order bytes in bulk rather than
 * element by element (JDK serialization's own form for {@code double[]} converts each element). Stands in for the
 * array on the way out and resolves to a new array on the way in.
 */
public final class RawArray implements Externalizable {
    @Serial
    private static final long serialVersionUID = 1L;
    /** Arrays of at least this many bytes take the raw form. */
    static final long MIN_BYTES = 64 * 1024;

    private static final int CHUNK = 1 << 16;

    private @Nullable Object array;

    /** For deserialization. */
    public RawArray() {}

    RawArray(Object array) {
        this.array = array;
    }

    /** The raw form of {@code obj} if it is a large primitive array other than boolean[], else {@code obj}. */
    static Object wrapIfLarge(Object obj) {
        if (obj != null && obj.getClass().isArray() && !(obj instanceof boolean[])) {
            long bytes = ArrayFiles.byteSize(obj);
            if (bytes >= MIN_BYTES) {
                return new RawArray(obj);
            }
        }
        return obj;
    }

    @Override
    public void writeExternal(ObjectOutput out) throws IOException {
        // only instances made by wrapIfLarge are written; the no-arg constructor is for reading
        Object array = Objects.requireNonNull(this.array, "array");
        out.writeUTF(array.getClass().getComponentType().getName());
        int length = java.lang.reflect.Array.getLength(array);
        out.writeInt(length);
        MemorySegment source = ArrayFiles.segmentOf(array);
        long bytes = source.byteSize();
        byte[] chunk = new byte[(int) Math.min(CHUNK, bytes)];
        MemorySegment chunkSegment = MemorySegment.ofArray(chunk);
        for (long off = 0; off < bytes; off += chunk.length) {
            int n = (int) Math.min(chunk.length, bytes - off);
            MemorySegment.copy(source, off, chunkSegment, 0, n);
            out.write(chunk, 0, n);
        }
    }

    @Override
    public void readExternal(ObjectInput in) throws IOException {
        String type = in.readUTF();
        int length = in.readInt();
        array = ArrayFiles.newArray(type, length);
        MemorySegment target = ArrayFiles.segmentOf(array);
        long bytes = target.byteSize();
        byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(bytes, 1))];
        MemorySegment chunkSegment = MemorySegment.ofArray(chunk);
        for (long off = 0; off < bytes; off += chunk.length) {
            int n = (int) Math.min(chunk.length, bytes - off);
            in.readFully(chunk, 0, n);
            MemorySegment.copy(chunkSegment, 0, target, off, n);
        }
    }

    @Serial
    private Object readResolve() throws ObjectStreamException {
        if (array == null) {
            throw new InvalidObjectException("raw array without data");
        }
        return array;
    }
}
