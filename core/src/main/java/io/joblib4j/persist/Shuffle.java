package io.joblib4j.persist;

/**
 * The byte-shuffle filter of compressed dumps (layout 2): each block of up to {@link #BLOCK_ELEMENTS} elements of
 * an array is stored as all first bytes, then all second bytes, and so on. Numeric data whose neighbouring values
 * are close (exponents and high mantissa bytes repeat) then compresses far better, as in Blosc and HDF5's shuffle.
 */
final class Shuffle {
    static final int BLOCK_ELEMENTS = 1 << 16;

    private Shuffle() {}

    /** Writes the {@code n} elements of {@code item} bytes in {@code src} to {@code dst} grouped by byte plane. */
    static void shuffle(byte[] src, byte[] dst, int n, int item) {
        for (int b = 0; b < item; b++) {
            int out = b * n;
            for (int i = 0, in = b; i < n; i++, in += item) {
                dst[out + i] = src[in];
            }
        }
    }

    /** The inverse of {@link #shuffle}. */
    static void unshuffle(byte[] src, byte[] dst, int n, int item) {
        for (int b = 0; b < item; b++) {
            int in = b * n;
            for (int i = 0, out = b; i < n; i++, out += item) {
                dst[out] = src[in + i];
            }
        }
    }
}
