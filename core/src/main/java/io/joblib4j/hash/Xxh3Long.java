package io.joblib4j.hash;

import com.dynatrace.hash4j.hashing.HashValue128;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * XXH3-128 (default secret, seed 0) of inputs longer than 240 bytes, read straight from a {@link MemorySegment}
 * (heap arrays of any primitive type, off-heap or mapped memory) without copying. Shorter inputs take other code
 * paths of the algorithm and are left to the reference implementation. Equality with the reference on every
 * length is checked by the tests.
 */
final class Xxh3Long {
    static final int MIN_LENGTH = 241;

    private static final ValueLayout.OfLong LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long PRIME32_1 = 0x9E3779B1L;
    private static final long PRIME64_1 = 0x9E3779B185EBCA87L;
    private static final long PRIME64_2 = 0xC2B2AE3D27D4EB4FL;
    private static final long M32 = 0xFFFF_FFFFL;

    /** The 192-byte default secret of XXH3 as 24 little-endian words. */
    private static final long[] SECRET = {
        -4734510112055689544L, 2066345149520216444L, -2623469361688619810L, 2262974939099578482L,
        8711581037947681227L, 2410270004345854594L, -8204357891075471176L, 5487137525590930912L,
        -3818837453329782724L, -6688317018830679928L, 5690594596133299313L, -2833645246901970632L,
        4554437623014685352L, 2111919702937427193L, 3556072174620004746L, 7238261902898274248L,
        -4329134394285701654L, -1485321483350670907L, 5321830579834785047L, -7032137544937171245L,
        -242834301215959509L, -3588858202114426737L, 2883454493032893253L, 9097354517224871855L
    };

    private static final long[] LAST_STRIPE = words(192 - 64 - 7, 8);
    private static final long[] MERGE_LOW = words(11, 8);
    private static final long[] MERGE_HIGH = words(192 - 64 - 11, 8);

    private Xxh3Long() {}

    private static long[] words(int byteOffset, int count) {
        MemorySegment secret = MemorySegment.ofArray(new byte[192]);
        for (int i = 0; i < SECRET.length; i++) {
            secret.set(LE, i * 8L, SECRET[i]);
        }
        long[] out = new long[count];
        for (int i = 0; i < count; i++) {
            out[i] = secret.get(LE, byteOffset + 8L * i);
        }
        return out;
    }

    /** Bytes of input staged at a time: 16 blocks, small enough to stay in the L1 cache. */
    private static final int STAGE_BLOCKS = 16;
    /** Longs of the tail area: the last partial block (128 longs) and a copy of the last stripe (8 longs). */
    private static final int TAIL_LONGS = 128 + 8;

    private static final boolean BIG_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;

    /**
     * XXH3-128 of the {@code len > 240} bytes of {@code in} starting at {@code start}.
     *
     * <p>The input is copied in steps of 16 KiB into a {@code long[]} and hashed from there. Reading the segment
     * directly would make the loop's speed depend on how many kinds of segment (heap arrays of each type, off-heap,
     * mapped) the JVM has seen at this one access site: once dumps and loads had passed it heap {@code double[]},
     * heap {@code long[]} and native segments, the compiled loop fell to a tenth of its speed. A bulk copy per step
     * costs the same whatever the segment, and the loop over a {@code long[]} compiles to plain loads.
     */
    static HashValue128 hash(MemorySegment in, long start, long len) {
        if (len < MIN_LENGTH) {
            throw new IllegalArgumentException("length " + len + " < " + MIN_LENGTH);
        }
        long blocks = (len - 1) >>> 10;
        long[] buf = new long[(int) Math.max(TAIL_LONGS, Math.min(blocks, STAGE_BLOCKS) * 128)];
        MemorySegment stage = MemorySegment.ofArray(buf);
        long a0 = 3266489917L, a1 = -7046029288634856825L, a2 = -4417276706812531889L, a3 = 1609587929392839161L;
        long a4 = -8796714831421723037L, a5 = 2246822519L, a6 = 2870177450012600261L, a7 = 2654435761L;
        long p = start;
        for (long b = 0; b < blocks; ) {
            int nb = (int) Math.min(STAGE_BLOCKS, blocks - b);
            MemorySegment.copy(in, p, stage, 0, (long) nb << 10);
            for (int j = 0; j < nb; j++) {
                int base = j << 7;
                for (int s = 0; s < 16; s++) {
                    int q = base + (s << 3);
                    long d0 = word(buf, q), d1 = word(buf, q + 1), d2 = word(buf, q + 2), d3 = word(buf, q + 3);
                    long d4 = word(buf, q + 4), d5 = word(buf, q + 5), d6 = word(buf, q + 6), d7 = word(buf, q + 7);
                    long k0 = d0 ^ SECRET[s], k1 = d1 ^ SECRET[s + 1], k2 = d2 ^ SECRET[s + 2];
                    long k3 = d3 ^ SECRET[s + 3], k4 = d4 ^ SECRET[s + 4], k5 = d5 ^ SECRET[s + 5];
                    long k6 = d6 ^ SECRET[s + 6], k7 = d7 ^ SECRET[s + 7];
                    a0 += d1 + (k0 & M32) * (k0 >>> 32);
                    a1 += d0 + (k1 & M32) * (k1 >>> 32);
                    a2 += d3 + (k2 & M32) * (k2 >>> 32);
                    a3 += d2 + (k3 & M32) * (k3 >>> 32);
                    a4 += d5 + (k4 & M32) * (k4 >>> 32);
                    a5 += d4 + (k5 & M32) * (k5 >>> 32);
                    a6 += d7 + (k6 & M32) * (k6 >>> 32);
                    a7 += d6 + (k7 & M32) * (k7 >>> 32);
                }
                a0 = scramble(a0, SECRET[16]);
                a1 = scramble(a1, SECRET[17]);
                a2 = scramble(a2, SECRET[18]);
                a3 = scramble(a3, SECRET[19]);
                a4 = scramble(a4, SECRET[20]);
                a5 = scramble(a5, SECRET[21]);
                a6 = scramble(a6, SECRET[22]);
                a7 = scramble(a7, SECRET[23]);
            }
            b += nb;
            p += (long) nb << 10;
        }
        // the rest: 1 to 1024 bytes in whole stripes, then the input's last 64 bytes (which may overlap them)
        long rest = start + len - p;
        int stripes = (int) ((rest - 1) >>> 6);
        MemorySegment.copy(in, p, stage, 0, (long) stripes << 6);
        MemorySegment.copy(in, start + len - 64, stage, 128L * 8, 64);
        long[] acc = {a0, a1, a2, a3, a4, a5, a6, a7};
        for (int s = 0; s < stripes; s++) {
            accumulate(acc, buf, s << 3, SECRET, s);
        }
        accumulate(acc, buf, 128, LAST_STRIPE, 0);
        long low = merge(acc, MERGE_LOW, len * PRIME64_1);
        long high = merge(acc, MERGE_HIGH, ~(len * PRIME64_2));
        return new HashValue128(high, low);
    }

    /** The little-endian word at {@code i} of the staged bytes. */
    private static long word(long[] buf, int i) {
        return BIG_ENDIAN ? Long.reverseBytes(buf[i]) : buf[i];
    }

    private static void accumulate(long[] acc, long[] buf, int at, long[] key, int k) {
        for (int i = 0; i < 8; i++) {
            long d = word(buf, at + i);
            long x = d ^ key[k + i];
            acc[i ^ 1] += d;
            acc[i] += (x & M32) * (x >>> 32);
        }
    }

    private static long scramble(long acc, long key) {
        acc ^= acc >>> 47;
        acc ^= key;
        return acc * PRIME32_1;
    }

    private static long merge(long[] acc, long[] key, long start) {
        long r = start;
        for (int i = 0; i < 4; i++) {
            long lo = acc[2 * i] ^ key[2 * i];
            long hi = acc[2 * i + 1] ^ key[2 * i + 1];
            r += Math.unsignedMultiplyHigh(lo, hi) ^ (lo * hi);
        }
        r ^= r >>> 37;
        r *= 0x165667919E3779F9L;
        return r ^ (r >>> 32);
    }
}
