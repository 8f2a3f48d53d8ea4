package io.joblib4j.memory;

import io.joblib4j.Joblib;
import io.joblib4j.persist.Compression;
import io.joblib4j.persist.LoadOptions;
import java.io.IOException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The one place where Memory meets persistence: results are written with {@link Joblib#dump}, read with
 * {@link Joblib#load} and keys hashed with {@link Joblib#hash}.
 */
final class ResultCodec {
    private ResultCodec() {}

    /** Writes {@code value} to {@code file} with {@code compression} (null: uncompressed). */
    static void dump(Object value, Path file, @Nullable Compression compression) throws IOException {
        Joblib.dump(value, file, compression == null ? Compression.none() : compression);
    }

    /** Reads a result written by {@link #dump}, with the options' class check and mmap mode. */
    static Object load(Path file, LoadOptions options) throws IOException {
        return Joblib.load(file, options);
    }

    /** The 32-hex-character content hash of {@code value}. */
    static String hash(Object value) {
        return Joblib.hash(value);
    }
}
