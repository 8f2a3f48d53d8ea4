package io.joblib4j.persist;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The byte-shuffle filter of compressed dumps (layout 2): each block of up to {@link #BLOCK_ELEMENTS} elements of
 * an array is stored as all first bytes, then all second bytes, and so on. Numeric data whose neighbouring values
 * are close (exponents and high mantissa bytes repeat) then compresses far better, as in Blosc and HDF5's shuffle.
 *
 * <p>The segment forms move 8 elements at a time for 4- and 8-byte elements: they read one 8-byte word per byte
 * plane and transpose the 8x8 (or 4x8) byte matrix in registers, instead of moving one byte at a time.
 */
final class Shuffle {
    static final int BLOCK_ELEMENTS = 1 << 16;

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Shuffle() {}

    /** Writes the {@code n} elements of {@code item} bytes in {@code src} to {@code dst} grouped by byte plane. */
    static void shuffle(byte[] src, byte[] dst, int n, int item) {
        shuffle(MemorySegment.ofArray(src), 0, MemorySegment.ofArray(dst), 0, n, item);
    }

    /** The inverse of {@link #shuffle}. */
    static void unshuffle(byte[] src, byte[] dst, int n, int item) {
        unshuffle(MemorySegment.ofArray(src), 0, MemorySegment.ofArray(dst), 0, n, item);
    }

    /**
     * Writes the {@code n} elements of {@code item} bytes at {@code src[from..]} to {@code dst[to..]} grouped by byte
     * plane ({@code n} is at most {@link #BLOCK_ELEMENTS}: one block).
     */
    static void shuffle(MemorySegment src, long from, MemorySegment dst, long to, int n, int item) {
        int i = 0;
        if (item == 8) {
            for (; i + 8 <= n; i += 8) {
                long at = from + 8L * i;
                long x0 = src.get(LONG, at), x1 = src.get(LONG, at + 8), x2 = src.get(LONG, at + 16);
                long x3 = src.get(LONG, at + 24), x4 = src.get(LONG, at + 32), x5 = src.get(LONG, at + 40);
                long x6 = src.get(LONG, at + 48), x7 = src.get(LONG, at + 56);
                long t;
                // 4x4 blocks
                t = ((x0 >>> 32) ^ x4) & 0xFFFFFFFFL;
                x0 ^= t << 32;
                x4 ^= t;
                t = ((x1 >>> 32) ^ x5) & 0xFFFFFFFFL;
                x1 ^= t << 32;
                x5 ^= t;
                t = ((x2 >>> 32) ^ x6) & 0xFFFFFFFFL;
                x2 ^= t << 32;
                x6 ^= t;
                t = ((x3 >>> 32) ^ x7) & 0xFFFFFFFFL;
                x3 ^= t << 32;
                x7 ^= t;
                // 2x2 blocks
                t = ((x0 >>> 16) ^ x2) & 0x0000FFFF0000FFFFL;
                x0 ^= t << 16;
                x2 ^= t;
                t = ((x1 >>> 16) ^ x3) & 0x0000FFFF0000FFFFL;
                x1 ^= t << 16;
                x3 ^= t;
                t = ((x4 >>> 16) ^ x6) & 0x0000FFFF0000FFFFL;
                x4 ^= t << 16;
                x6 ^= t;
                t = ((x5 >>> 16) ^ x7) & 0x0000FFFF0000FFFFL;
                x5 ^= t << 16;
                x7 ^= t;
                // single bytes
                t = ((x0 >>> 8) ^ x1) & 0x00FF00FF00FF00FFL;
                x0 ^= t << 8;
                x1 ^= t;
                t = ((x2 >>> 8) ^ x3) & 0x00FF00FF00FF00FFL;
                x2 ^= t << 8;
                x3 ^= t;
                t = ((x4 >>> 8) ^ x5) & 0x00FF00FF00FF00FFL;
                x4 ^= t << 8;
                x5 ^= t;
                t = ((x6 >>> 8) ^ x7) & 0x00FF00FF00FF00FFL;
                x6 ^= t << 8;
                x7 ^= t;
                long out = to + i;
                dst.set(LONG, out, x0);
                dst.set(LONG, out + n, x1);
                dst.set(LONG, out + 2L * n, x2);
                dst.set(LONG, out + 3L * n, x3);
                dst.set(LONG, out + 4L * n, x4);
                dst.set(LONG, out + 5L * n, x5);
                dst.set(LONG, out + 6L * n, x6);
                dst.set(LONG, out + 7L * n, x7);
            }
        } else if (item == 4) {
            for (; i + 8 <= n; i += 8) {
                long at = from + 4L * i;
                // element pairs (i, i+4), (i+1, i+5), ... in one word each: low half the first, high half the second
                long x0 = pair(src, at, at + 16), x1 = pair(src, at + 4, at + 20);
                long x2 = pair(src, at + 8, at + 24), x3 = pair(src, at + 12, at + 28);
                long t;
                t = ((x0 >>> 16) ^ x2) & 0x0000FFFF0000FFFFL;
                x0 ^= t << 16;
                x2 ^= t;
                t = ((x1 >>> 16) ^ x3) & 0x0000FFFF0000FFFFL;
                x1 ^= t << 16;
                x3 ^= t;
                t = ((x0 >>> 8) ^ x1) & 0x00FF00FF00FF00FFL;
                x0 ^= t << 8;
                x1 ^= t;
                t = ((x2 >>> 8) ^ x3) & 0x00FF00FF00FF00FFL;
                x2 ^= t << 8;
                x3 ^= t;
                long out = to + i;
                dst.set(LONG, out, x0);
                dst.set(LONG, out + n, x1);
                dst.set(LONG, out + 2L * n, x2);
                dst.set(LONG, out + 3L * n, x3);
            }
        }
        for (int b = 0; b < item; b++) {
            long out = to + (long) b * n;
            for (int k = i; k < n; k++) {
                dst.set(ValueLayout.JAVA_BYTE, out + k, src.get(ValueLayout.JAVA_BYTE, from + (long) k * item + b));
            }
        }
    }

    /** The inverse of {@link #shuffle(MemorySegment, long, MemorySegment, long, int, int)}. */
    static void unshuffle(MemorySegment src, long from, MemorySegment dst, long to, int n, int item) {
        int i = 0;
        if (item == 8) {
            for (; i + 8 <= n; i += 8) {
                long in = from + i;
                long x0 = src.get(LONG, in), x1 = src.get(LONG, in + n), x2 = src.get(LONG, in + 2L * n);
                long x3 = src.get(LONG, in + 3L * n), x4 = src.get(LONG, in + 4L * n);
                long x5 = src.get(LONG, in + 5L * n), x6 = src.get(LONG, in + 6L * n);
                long x7 = src.get(LONG, in + 7L * n);
                long t;
                t = ((x0 >>> 32) ^ x4) & 0xFFFFFFFFL;
                x0 ^= t << 32;
                x4 ^= t;
                t = ((x1 >>> 32) ^ x5) & 0xFFFFFFFFL;
                x1 ^= t << 32;
                x5 ^= t;
                t = ((x2 >>> 32) ^ x6) & 0xFFFFFFFFL;
                x2 ^= t << 32;
                x6 ^= t;
                t = ((x3 >>> 32) ^ x7) & 0xFFFFFFFFL;
                x3 ^= t << 32;
                x7 ^= t;
                t = ((x0 >>> 16) ^ x2) & 0x0000FFFF0000FFFFL;
                x0 ^= t << 16;
                x2 ^= t;
                t = ((x1 >>> 16) ^ x3) & 0x0000FFFF0000FFFFL;
                x1 ^= t << 16;
                x3 ^= t;
                t = ((x4 >>> 16) ^ x6) & 0x0000FFFF0000FFFFL;
                x4 ^= t << 16;
                x6 ^= t;
                t = ((x5 >>> 16) ^ x7) & 0x0000FFFF0000FFFFL;
                x5 ^= t << 16;
                x7 ^= t;
                t = ((x0 >>> 8) ^ x1) & 0x00FF00FF00FF00FFL;
                x0 ^= t << 8;
                x1 ^= t;
                t = ((x2 >>> 8) ^ x3) & 0x00FF00FF00FF00FFL;
                x2 ^= t << 8;
                x3 ^= t;
                t = ((x4 >>> 8) ^ x5) & 0x00FF00FF00FF00FFL;
                x4 ^= t << 8;
                x5 ^= t;
                t = ((x6 >>> 8) ^ x7) & 0x00FF00FF00FF00FFL;
                x6 ^= t << 8;
                x7 ^= t;
                long out = to + 8L * i;
                dst.set(LONG, out, x0);
                dst.set(LONG, out + 8, x1);
                dst.set(LONG, out + 16, x2);
                dst.set(LONG, out + 24, x3);
                dst.set(LONG, out + 32, x4);
                dst.set(LONG, out + 40, x5);
                dst.set(LONG, out + 48, x6);
                dst.set(LONG, out + 56, x7);
            }
        } else if (item == 4) {
            for (; i + 8 <= n; i += 8) {
                long in = from + i;
                long x0 = src.get(LONG, in), x1 = src.get(LONG, in + n);
                long x2 = src.get(LONG, in + 2L * n), x3 = src.get(LONG, in + 3L * n);
                long t;
                t = ((x0 >>> 16) ^ x2) & 0x0000FFFF0000FFFFL;
                x0 ^= t << 16;
                x2 ^= t;
                t = ((x1 >>> 16) ^ x3) & 0x0000FFFF0000FFFFL;
                x1 ^= t << 16;
                x3 ^= t;
                t = ((x0 >>> 8) ^ x1) & 0x00FF00FF00FF00FFL;
                x0 ^= t << 8;
                x1 ^= t;
                t = ((x2 >>> 8) ^ x3) & 0x00FF00FF00FF00FFL;
                x2 ^= t << 8;
                x3 ^= t;
                long out = to + 4L * i;
                dst.set(INT, out, (int) x0);
                dst.set(INT, out + 4, (int) x1);
                dst.set(INT, out + 8, (int) x2);
                dst.set(INT, out + 12, (int) x3);
                dst.set(INT, out + 16, (int) (x0 >>> 32));
                dst.set(INT, out + 20, (int) (x1 >>> 32));
                dst.set(INT, out + 24, (int) (x2 >>> 32));
                dst.set(INT, out + 28, (int) (x3 >>> 32));
            }
        }
        for (int b = 0; b < item; b++) {
            long in = from + (long) b * n;
            for (int k = i; k < n; k++) {
                dst.set(ValueLayout.JAVA_BYTE, to + (long) k * item + b, src.get(ValueLayout.JAVA_BYTE, in + k));
            }
        }
    }

    private static long pair(MemorySegment src, long low, long high) {
        return (src.get(INT, low) & 0xFFFFFFFFL) | ((long) src.get(INT, high) << 32);
    }
}
