package io.joblib4j.internal.process;

import io.joblib4j.internal.TempFolders;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Raw files of primitive array elements in native byte order, written by the parent and read by workers. */
public final class ArrayFiles {
    private ArrayFiles() {}

    /** The size in bytes of {@code array}'s elements, or -1 if it is not a primitive array. */
    public static long byteSize(Object array) {
        return switch (array) {
            case double[] a -> 8L * a.length;
            case long[] a -> 8L * a.length;
            case int[] a -> 4L * a.length;
            case float[] a -> 4L * a.length;
            case short[] a -> 2L * a.length;
            case char[] a -> 2L * a.length;
            case byte[] a -> a.length;
            case boolean[] a -> a.length;
            default -> -1;
        };
    }

    /** A heap segment over a primitive array's elements (not boolean[]). */
    static MemorySegment segmentOf(Object array) {
        return segment(array);
    }

    /** A new primitive array of the named element type. */
    static Object newArray(String componentType, int length) throws IOException {
        return switch (componentType) {
            case "double" -> new double[length];
            case "long" -> new long[length];
            case "int" -> new int[length];
            case "float" -> new float[length];
            case "short" -> new short[length];
            case "char" -> new char[length];
            case "byte" -> new byte[length];
            case "boolean" -> new boolean[length];
            default -> throw new IOException("unknown element type '" + componentType + "'");
        };
    }

    private static MemorySegment segment(Object array) {
        return switch (array) {
            case double[] a -> MemorySegment.ofArray(a);
            case long[] a -> MemorySegment.ofArray(a);
            case int[] a -> MemorySegment.ofArray(a);
            case float[] a -> MemorySegment.ofArray(a);
            case short[] a -> MemorySegment.ofArray(a);
            case char[] a -> MemorySegment.ofArray(a);
            case byte[] a -> MemorySegment.ofArray(a);
            default ->
                throw new IllegalArgumentException("not a primitive array with a segment view: " + array.getClass());
        };
    }

    /** Writes {@code array}'s elements to a new file readable and writable by the owner only (0600). */
    public static SharedArrayRef write(Object array, Path file) throws IOException {
        MemorySegment data;
        if (array instanceof boolean[] a) {
            byte[] b = new byte[a.length];
            for (int i = 0; i < a.length; i++) {
                b[i] = (byte) (a[i] ? 1 : 0);
            }
            data = MemorySegment.ofArray(b);
        } else {
            data = segment(array);
        }
        writeSegment(data, file);
        return new SharedArrayRef(
                file.toString(),
                array.getClass().getComponentType().getName(),
                java.lang.reflect.Array.getLength(array));
    }

    /**
     * Writes the bytes of {@code segment} to a new file readable and writable by the owner only (0600). The bytes go
     * through the file channel in 1 MiB chunks rather than a mapping, so the file's pages (in /dev/shm, memory) are
     * not counted in this process's resident size.
     */
    public static void writeSegment(MemorySegment segment, Path file) throws IOException {
        Files.createFile(file, TempFolders.ownerOnly(file, "rw-------"));
        long bytes = segment.byteSize();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer chunk = ByteBuffer.allocateDirect((int) Math.min(bytes, 1 << 20));
            MemorySegment chunkSegment = MemorySegment.ofBuffer(chunk);
            for (long off = 0; off < bytes; ) {
                int n = (int) Math.min(chunk.capacity(), bytes - off);
                MemorySegment.copy(segment, off, chunkSegment, 0, n);
                chunk.clear().limit(n);
                writeFully(ch, chunk);
                off += n;
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /** Reads the array a {@link SharedArrayRef} describes onto the heap, in 1 MiB chunks. */
    public static Object read(SharedArrayRef ref) throws IOException {
        Object array = switch (ref.componentType()) {
            case "double" -> new double[ref.length()];
            case "long" -> new long[ref.length()];
            case "int" -> new int[ref.length()];
            case "float" -> new float[ref.length()];
            case "short" -> new short[ref.length()];
            case "char" -> new char[ref.length()];
            case "byte" -> new byte[ref.length()];
            case "boolean" -> new boolean[ref.length()];
            default -> throw new IOException("unknown element type '" + ref.componentType() + "' in " + ref.path());
        };
        long bytes = byteSize(array);
        Path path = Path.of(ref.path());
        long size = Files.size(path);
        if (size < bytes) {
            throw new IOException("shared array file " + path + " holds " + size + " bytes, expected " + bytes);
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment target =
                    array instanceof boolean[] ? MemorySegment.ofArray(new byte[(int) bytes]) : segment(array);
            ByteBuffer chunk = ByteBuffer.allocateDirect((int) Math.max(1, Math.min(bytes, 1 << 20)));
            MemorySegment chunkSegment = MemorySegment.ofBuffer(chunk);
            for (long off = 0; off < bytes; ) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), bytes - off));
                while (chunk.hasRemaining()) {
                    if (ch.read(chunk, off + chunk.position()) < 0) {
                        throw new IOException("shared array file " + path + " ends at offset "
                                + (off + chunk.position()) + ", expected " + bytes + " bytes");
                    }
                }
                int n = chunk.position();
                MemorySegment.copy(chunkSegment, 0, target, off, n);
                off += n;
            }
            if (array instanceof boolean[] a) {
                for (int i = 0; i < a.length; i++) {
                    a[i] = target.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) != 0;
                }
            }
        }
        return array;
    }
}
