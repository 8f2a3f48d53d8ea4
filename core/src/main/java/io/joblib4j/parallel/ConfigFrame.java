package io.joblib4j.parallel;

import io.joblib4j.SerializableRunnable;
import io.joblib4j.array.MmapMode;
import io.joblib4j.backend.Backend;
import io.joblib4j.backend.BatchContext;
import io.joblib4j.internal.NJobs;
import java.io.Externalizable;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;

/**
 * The settings of {@code ParallelConfig} in force for a thread: every field may be null (unset). Frames merge, the
 * inner one's set fields winning; the merged frame travels with tasks (it is the {@link BatchContext} of the
 * engine's batches) so they inherit their caller's config, also into worker JVMs.
 *
 * @param backendName     a backend by name (a {@code ParallelConfig} keeps names: resolved at each call)
 * @param backendInstance a backend instance (a {@code Parallel} keeps the instance); at most one of the two is set
 * @param maxNbytes       a byte count, or -1 for "never share arrays through files"
 * @param tempFolder      a path string
 * @param initializer     run once in each worker before its first task; not passed on to calls nested in tasks
 */
record ConfigFrame(
        @Nullable String backendName,
        @Nullable Backend backendInstance,
        @Nullable Integer nJobs,
        @Nullable Integer verbose,
        @Nullable Prefer prefer,
        @Nullable Require require,
        @Nullable Duration timeout,
        @Nullable PreDispatch preDispatch,
        @Nullable BatchSize batchSize,
        @Nullable String tempFolder,
        @Nullable Long maxNbytes,
        @Nullable MmapMode mmapMode,
        @Nullable Boolean progressBar,
        @Nullable Integer retries,
        @Nullable SerializableRunnable initializer)
        implements BatchContext {
    @Serial
    private static final long serialVersionUID = 2L;

    static final ConfigFrame EMPTY =
            new ConfigFrame(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    private static final ThreadLocal<ConfigFrame> CURRENT = new ThreadLocal<>() { // no lambda to link on a first call
                @Override
                protected ConfigFrame initialValue() {
                    return EMPTY;
                }
            };

    /** The config in force in this thread. */
    static ConfigFrame current() {
        return CURRENT.get();
    }

    /** Makes {@code frame} the config of this thread; returns the one it replaces. */
    static ConfigFrame install(@Nullable ConfigFrame frame) {
        ConfigFrame previous = CURRENT.get();
        ConfigFrame next = frame == null ? EMPTY : frame;
        CURRENT.set(next);
        // Published for Joblib.effectiveNJobs(), which sits below the engine and cannot read this frame.
        NJobs.setInForce(next.nJobs);
        return previous;
    }

    @Override
    public <T> T callWith(Callable<T> body) throws Exception {
        ConfigFrame previous = install(this);
        try {
            return body.call();
        } finally {
            install(previous);
        }
    }

    /** The backend set in this frame, by name or instance, or null. */
    @Nullable
    String backendLabel() {
        return backendName != null ? backendName : backendInstance != null ? backendInstance.name() : null;
    }

    boolean hasBackend() {
        return backendName != null || backendInstance != null;
    }

    /** This frame with the set fields of {@code inner} on top. */
    // `inner == EMPTY` is a fast path for the common case; an equal frame takes the longer way to the same result.
    @SuppressWarnings("ReferenceEquality")
    ConfigFrame overlay(@Nullable ConfigFrame inner) {
        if (inner == null || inner == EMPTY) {
            return this;
        }
        boolean innerBackend = inner.hasBackend();
        return new ConfigFrame(
                innerBackend ? inner.backendName : backendName,
                innerBackend ? inner.backendInstance : backendInstance,
                or(inner.nJobs, nJobs),
                or(inner.verbose, verbose),
                or(inner.prefer, prefer),
                or(inner.require, require),
                or(inner.timeout, timeout),
                or(inner.preDispatch, preDispatch),
                or(inner.batchSize, batchSize),
                or(inner.tempFolder, tempFolder),
                or(inner.maxNbytes, maxNbytes),
                or(inner.mmapMode, mmapMode),
                or(inner.progressBar, progressBar),
                or(inner.retries, retries),
                or(inner.initializer, initializer));
    }

    /**
     * This frame with the backend and worker count replaced (for calls nested inside a task), without the
     * initializer: it was meant for the workers of the outer call.
     */
    ConfigFrame nested(@Nullable String nestedBackend, @Nullable Integer nestedNJobs) {
        return new ConfigFrame(
                nestedBackend,
                null,
                nestedNJobs,
                verbose,
                prefer,
                require,
                timeout,
                preDispatch,
                batchSize,
                tempFolder,
                maxNbytes,
                mmapMode,
                progressBar,
                retries,
                null);
    }

    /** This frame, fit to be sent to another JVM: a backend instance that cannot travel is dropped. */
    @Override
    public ConfigFrame portable() {
        if (backendInstance == null || backendInstance instanceof Serializable) {
            return this;
        }
        return new ConfigFrame(
                null,
                null,
                nJobs,
                verbose,
                prefer,
                require,
                timeout,
                preDispatch,
                batchSize,
                tempFolder,
                maxNbytes,
                mmapMode,
                progressBar,
                retries,
                initializer);
    }

    private static <T> @Nullable T or(@Nullable T a, @Nullable T b) {
        return a != null ? a : b;
    }

    /** A frame travels as its {@link Form}. */
    @Serial
    private Object writeReplace() {
        return new Form(this);
    }

    /**
     * The serial form of a frame: which components are set, then their values. A frame goes with every batch to a
     * worker, each batch in a stream of its own; the record's own form would spell out the names and types of its
     * fifteen components in every one of them, and the worker would read and match them every time.
     */
    static final class Form implements Externalizable {
        @Serial
        private static final long serialVersionUID = 1L;

        private ConfigFrame frame = EMPTY;

        /** For deserialization. */
        public Form() {}

        Form(ConfigFrame frame) {
            this.frame = frame;
        }

        @Override
        public void writeExternal(ObjectOutput out) throws IOException {
            ConfigFrame f = frame;
            Object[] v = {
                f.backendName,
                f.backendInstance,
                f.nJobs,
                f.verbose,
                f.prefer,
                f.require,
                f.timeout,
                f.preDispatch,
                f.batchSize,
                f.tempFolder,
                f.maxNbytes,
                f.mmapMode,
                f.progressBar,
                f.retries,
                f.initializer
            };
            int set = 0;
            for (int i = 0; i < v.length; i++) {
                if (v[i] != null) {
                    set |= 1 << i;
                }
            }
            out.writeShort(set);
            for (Object o : v) {
                switch (o) {
                    case null -> {}
                    case Integer n -> out.writeInt(n);
                    case Long n -> out.writeLong(n);
                    case Boolean b -> out.writeBoolean(b);
                    case String str -> out.writeUTF(str);
                    case Duration d -> {
                        out.writeLong(d.getSeconds());
                        out.writeInt(d.getNano());
                    }
                    default -> out.writeObject(o);
                }
            }
        }

        @Override
        public void readExternal(ObjectInput in) throws IOException, ClassNotFoundException {
            int set = in.readUnsignedShort();
            if (set >>> 15 != 0) {
                throw new InvalidObjectException("corrupt config frame: components " + Integer.toBinaryString(set));
            }
            frame = new ConfigFrame(
                    has(set, 0) ? in.readUTF() : null,
                    has(set, 1) ? read(in, Backend.class) : null,
                    has(set, 2) ? in.readInt() : null,
                    has(set, 3) ? in.readInt() : null,
                    has(set, 4) ? read(in, Prefer.class) : null,
                    has(set, 5) ? read(in, Require.class) : null,
                    has(set, 6) ? duration(in) : null,
                    has(set, 7) ? read(in, PreDispatch.class) : null,
                    has(set, 8) ? read(in, BatchSize.class) : null,
                    has(set, 9) ? in.readUTF() : null,
                    has(set, 10) ? in.readLong() : null,
                    has(set, 11) ? read(in, MmapMode.class) : null,
                    has(set, 12) ? in.readBoolean() : null,
                    has(set, 13) ? in.readInt() : null,
                    has(set, 14) ? read(in, SerializableRunnable.class) : null);
        }

        private static boolean has(int set, int component) {
            return (set & (1 << component)) != 0;
        }

        private static Duration duration(ObjectInput in) throws IOException {
            long seconds = in.readLong();
            int nanos = in.readInt();
            if (nanos < 0 || nanos > 999_999_999) {
                throw new InvalidObjectException("corrupt config frame: a timeout of " + nanos + " nanoseconds");
            }
            return Duration.ofSeconds(seconds, nanos);
        }

        private static <T> T read(ObjectInput in, Class<T> type) throws IOException, ClassNotFoundException {
            Object o = in.readObject();
            if (!type.isInstance(o)) {
                throw new InvalidObjectException("corrupt config frame: a " + (o == null ? "null" : o.getClass())
                        + " where a " + type.getName() + " was expected");
            }
            return type.cast(o);
        }

        @Serial
        private Object readResolve() {
            return frame;
        }
    }
}
