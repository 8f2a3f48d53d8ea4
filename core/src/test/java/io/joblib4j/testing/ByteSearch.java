package io.joblib4j.testing;

/** Finding bytes in a serialized stream or a file, for tests that corrupt one field of it. */
public final class ByteSearch {
    private ByteSearch() {}

    /** The index of the first occurrence of {@code needle} in {@code haystack}, or -1. */
    public static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (haystack[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
