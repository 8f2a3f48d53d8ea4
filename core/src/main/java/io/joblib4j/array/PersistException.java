package io.joblib4j.array;

import java.io.IOException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * A file (or stream) could not be dumped or loaded: it is truncated, corrupt, of a foreign or newer format, or
 * holds a class that loading is not allowed to instantiate. The message names the file, the byte offset where
 * the problem was found (when known) and what was expected there.
 */
public class PersistException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient @Nullable Path file;
    private final long offset;

    public PersistException(String message) {
        this(message, null, -1, null);
    }

    public PersistException(String message, @Nullable Throwable cause) {
        this(message, null, -1, cause);
    }

    /**
     * @param message what is wrong and what was expected
     * @param file    the file, or null for a stream
     * @param offset  the byte offset where the problem was found, or -1 when unknown
     * @param cause   the underlying error, or null
     */
    public PersistException(String message, @Nullable Path file, long offset, @Nullable Throwable cause) {
        super(format(message, file, offset), cause);
        this.file = file;
        this.offset = offset;
    }

    private static String format(String message, @Nullable Path file, long offset) {
        StringBuilder sb = new StringBuilder();
        if (file != null) {
            sb.append(file).append(": ");
        }
        if (offset >= 0) {
            sb.append("at offset ").append(offset).append(": ");
        }
        return sb.append(message).toString();
    }

    /** The file concerned, or null when reading or writing a stream. */
    public @Nullable Path file() {
        return file;
    }

    /** The byte offset where the problem was found, or -1 when unknown. */
    public long offset() {
        return offset;
    }
}
