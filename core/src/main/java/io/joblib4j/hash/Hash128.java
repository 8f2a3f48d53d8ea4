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
        return String.format("%016x%016x", high, low);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
