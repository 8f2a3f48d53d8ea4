package io.joblib4j.memory;

import io.joblib4j.persist.MmapMode;
import io.joblib4j.persist.PersistException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.StreamCorruptedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The one place where Memory meets persistence: how results are written and read, and how keys are hashed.
 *
 * <p>TEMPORARY: until {@code Joblib.dump}/{@code Joblib.load}/{@code Joblib.hash} are available in this branch,
 * this uses Java serialization and SHA-256 over it. Switching to the persistence API is a change of this class only.
 */
final class ResultCodec {
    private ResultCodec() {}

    /** Writes {@code value} to {@code file}. {@code compression} is the persistence API's codec, or null for none. */
    static void dump(Object value, Path file, Object compression) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
             ObjectOutputStream oos = new ObjectOutputStream(out)) {
            oos.writeObject(value);
        }
    }

    /** Reads a result written by {@link #dump}; {@code mmapMode} may be null. */
    static Object load(Path file, MmapMode mmapMode) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
             ObjectInputStream ois = new ObjectInputStream(in)) {
            return ois.readObject();
        } catch (EOFException | StreamCorruptedException e) {
            throw new PersistException("truncated or corrupt result file: " + e, file, -1, e);
        } catch (ClassNotFoundException e) {
            throw new PersistException("result refers to a class that is not available: " + e.getMessage(), file, -1, e);
        }
    }

    /** A 32-hex-character content hash of {@code value}. */
    static String hash(Object value) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (ObjectOutputStream oos = new ObjectOutputStream(new DigestOutputStream(OutputStream.nullOutputStream(), md))) {
                oos.writeObject(value);
            }
            return HexFormat.of().formatHex(md.digest(), 0, 16);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot hash " + value.getClass().getName() + " for a cache key: " + e, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
