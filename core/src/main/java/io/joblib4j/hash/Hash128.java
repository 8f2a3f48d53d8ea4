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
        // not String.format: it costs a microsecond and 2 KB of garbage, and a cache key is one of these per call
        return HEX.toHexDigits(high) + HEX.toHexDigits(low);
    }

    private static final java.util.HexFormat HEX = java.util.HexFormat.of();

    @Override
    public String toString() {
        return toHex();
    }
}
