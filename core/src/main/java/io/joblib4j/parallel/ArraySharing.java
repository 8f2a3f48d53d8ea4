package io.joblib4j.parallel;

import io.joblib4j.array.MmapMode;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * How a call shares large arrays with workers that do not share its memory (joblib's automatic memmapping:
 * {@code max_nbytes}, {@code temp_folder}, {@code mmap_mode}): a {@link io.joblib4j.backend.WorkerSpec#option typed
 * option} of the worker spec that out-of-process backends read. Set through {@link Parallel.Builder#maxNbytes},
 * {@link Parallel.Builder#tempFolder} and {@link Parallel.Builder#mmapMode} (or the same settings of a
 * {@link ParallelConfig}); a backend that finds none uses {@link #defaults()}.
 */
public final class ArraySharing {
    /** Arrays above 1 MiB are shared by default, as in joblib. */
    public static final long DEFAULT_MAX_NBYTES = 1L << 20;

    private static final ArraySharing DEFAULTS = new ArraySharing(null, DEFAULT_MAX_NBYTES, MmapMode.READ_ONLY);

    private final @Nullable Path tempFolder;
    private final long maxNbytes;
    private final MmapMode mmapMode;

    private ArraySharing(@Nullable Path tempFolder, long maxNbytes, MmapMode mmapMode) {
        this.tempFolder = tempFolder;
        this.maxNbytes = maxNbytes;
        this.mmapMode = Objects.requireNonNull(mmapMode, "mmapMode");
    }

    /** Arrays above 1 MiB shared read-only through the default folder ({@code /dev/shm} or the temp folder). */
    public static ArraySharing defaults() {
        return DEFAULTS;
    }

    /**
     * The given settings.
     *
     * @param tempFolder where shared arrays are written, or null for the default
     * @param maxNbytes  arrays larger than this many bytes are shared through files; -1 never shares
     * @param mmapMode   how workers map shared arrays
     * @throws IllegalArgumentException if {@code maxNbytes < -1}
     */
    public static ArraySharing of(@Nullable Path tempFolder, long maxNbytes, MmapMode mmapMode) {
        if (maxNbytes < -1) {
            throw new IllegalArgumentException("maxNbytes must be a byte count or -1 for never, got " + maxNbytes);
        }
        return new ArraySharing(tempFolder, maxNbytes, mmapMode);
    }

    /** Where shared arrays are written, if not the default. */
    public Optional<Path> tempFolder() {
        return Optional.ofNullable(tempFolder);
    }

    /** Arrays larger than this many bytes are shared through files; empty when arrays are never shared. */
    public OptionalLong maxNbytes() {
        return maxNbytes < 0 ? OptionalLong.empty() : OptionalLong.of(maxNbytes);
    }

    /** How workers map shared arrays. */
    public MmapMode mmapMode() {
        return mmapMode;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ArraySharing a
                && maxNbytes == a.maxNbytes
                && mmapMode == a.mmapMode
                && Objects.equals(tempFolder, a.tempFolder);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tempFolder, maxNbytes, mmapMode);
    }

    @Override
    public String toString() {
        return "ArraySharing[tempFolder=" + tempFolder + ", maxNbytes=" + (maxNbytes < 0 ? "never" : maxNbytes)
                + ", mmapMode=" + mmapMode + "]";
    }
}
