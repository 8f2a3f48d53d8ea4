package io.joblib4j.process;

import io.joblib4j.array.MmapMode;
import io.joblib4j.hash.Hash128;
import io.joblib4j.internal.process.SharedGraphRef;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The captured object graphs a {@link WorkerPool} has written to files, by content: a call whose tasks capture a
 * graph with the same {@link io.joblib4j.internal.process.GraphDigest digest} as one published before (the same
 * object, unchanged, mapped again) reuses its file instead of serializing and writing it again, and the workers reuse
 * their copy of it. A graph whose content changed has another digest, so it is written anew: a changed array never
 * gives stale results.
 *
 * <p>An entry is held by the calls using it; at most {@value #KEEP_UNUSED} entries no call holds are kept (the most
 * recently used), the others' files are deleted. All go when the pool shuts down.
 */
final class PublishedGraphs {
    /** Entries kept while no call holds them, for the next call of the same object. */
    static final int KEEP_UNUSED = 2;

    /** What identifies a published graph: its content and the sharing settings its file was written with. */
    record Key(
            Hash128 digest, @Nullable Path base, @Nullable Long maxNbytes, MmapMode mode) {}

    private static final class Entry {
        final SharedArrays files;
        final SharedGraphRef ref;
        int users;

        Entry(SharedArrays files, SharedGraphRef ref) {
            this.files = files;
            this.ref = ref;
        }
    }

    /** In order of last use, least recent first. */
    private final Map<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

    private boolean closed;

    /** The reference to the graph published under {@code key}, now held by the caller; null if there is none. */
    synchronized @Nullable SharedGraphRef acquire(Key key) {
        Entry e = entries.get(key);
        if (e == null) {
            return null;
        }
        e.users++;
        return e.ref;
    }

    /**
     * Publishes the graph written through {@code files} as {@code ref}, held by the caller, and returns the reference
     * to use: {@code ref}, or the one another call published under the same key meanwhile (then {@code files} is
     * closed). After {@link #close()}, {@code files} is closed at once and {@code ref} returned (the pool's workers
     * are gone).
     */
    SharedGraphRef publish(Key key, SharedArrays files, SharedGraphRef ref) {
        SharedGraphRef use;
        boolean discard;
        synchronized (this) {
            Entry known = closed ? null : entries.get(key);
            if (closed) {
                use = ref;
                discard = true;
            } else if (known != null) {
                known.users++;
                use = known.ref;
                discard = true;
            } else {
                Entry e = new Entry(files, ref);
                e.users = 1;
                entries.put(key, e);
                use = ref;
                discard = false;
            }
        }
        if (discard) {
            files.close();
        }
        return use;
    }

    /** A call no longer holds the entry under {@code key}; unused entries beyond {@link #KEEP_UNUSED} are deleted. */
    void release(Key key) {
        List<SharedArrays> delete = new ArrayList<>();
        synchronized (this) {
            Entry e = entries.get(key);
            if (e != null && e.users > 0) {
                e.users--;
            }
            int unused = 0;
            for (Entry x : entries.values()) {
                if (x.users == 0) {
                    unused++;
                }
            }
            for (Iterator<Entry> it = entries.values().iterator(); it.hasNext() && unused > KEEP_UNUSED; ) {
                Entry x = it.next();
                if (x.users == 0) {
                    it.remove();
                    delete.add(x.files);
                    unused--;
                }
            }
        }
        for (SharedArrays files : delete) {
            files.close();
        }
    }

    /** Deletes every entry's files; later publications are deleted at once. Idempotent. */
    void close() {
        List<SharedArrays> delete;
        synchronized (this) {
            closed = true;
            delete = new ArrayList<>();
            for (Entry e : entries.values()) {
                delete.add(e.files);
            }
            entries.clear();
        }
        for (SharedArrays files : delete) {
            files.close();
        }
    }
}
