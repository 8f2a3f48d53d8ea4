package io.joblib4j.hash;

/**
 * A 128-bit hash value.
 *
 * @param high the most significant 64 bits (printed first)
 * @param low  the least significant 64 bits
 */
public record Hash128(long high, long low) {
    /** 32 lower-case hex characters, most significant bits first (as {@code xxhsum -H2} prints XXH128). */
    public String toHex() {
        // by hand: String.format costs a microsecond and 2 KB of garbage, and a cache key is one of these per call
        byte[] out = new byte[32];
        hex(high, out, 0);
        hex(low, out, 16);
        return new String(out, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static void hex(long v, byte[] out, int at) {
        for (int i = 15; i >= 0; i--) {
            out[at + i] = (byte) "0123456789abcdef".charAt((int) (v & 0xF));
            v >>>= 4;
        }
    }

    @Override
    public String toString() {
        return toHex();
    }
}
