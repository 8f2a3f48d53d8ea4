package io.joblib4j.multiprocessing;

import java.io.Serial;
import java.io.Serializable;

/**
 * A {@code long} in shared memory that every process it is passed to reads and updates atomically, without locks:
 * Python's {@code multiprocessing.Value('q')}, without its lock (the updates are the processor's atomic
 * instructions on a memory-mapped file, as {@link java.util.concurrent.atomic.AtomicLong}'s are on the heap).
 *
 * <p>The value lives in a file of this JVM's shared-memory folder ({@code /dev/shm} when there is room); the file is
 * deleted by {@link #close()} in the creator or when the creator exits (processes that mapped it keep their
 * mapping).
 */
public final class SharedLong implements Serializable, AutoCloseable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final SharedCell cell;

    private SharedLong(SharedCell cell) {
        this.cell = cell;
    }

    /** A new shared value, {@code initial} at first. */
    public static SharedLong create(long initial) {
        SharedLong v = new SharedLong(new SharedCell("long"));
        v.set(initial);
        return v;
    }

    public long get() {
        return (long) SharedCell.LONG.getVolatile(cell.segment(), 0L);
    }

    public void set(long value) {
        SharedCell.LONG.setVolatile(cell.segment(), 0L, value);
    }

    /** Adds {@code delta}; returns the new value. */
    public long addAndGet(long delta) {
        return (long) SharedCell.LONG.getAndAdd(cell.segment(), 0L, delta) + delta;
    }

    /** Adds {@code delta}; returns the previous value. */
    public long getAndAdd(long delta) {
        return (long) SharedCell.LONG.getAndAdd(cell.segment(), 0L, delta);
    }

    public long incrementAndGet() {
        return addAndGet(1);
    }

    public long decrementAndGet() {
        return addAndGet(-1);
    }

    /** Sets {@code update} if the value is {@code expect}; true if it did. */
    public boolean compareAndSet(long expect, long update) {
        return SharedCell.LONG.compareAndSet(cell.segment(), 0L, expect, update);
    }

    /** In the creator: deletes the value's file (processes that mapped it keep their mapping). Elsewhere: nothing. */
    @Override
    public void close() {
        cell.close();
    }

    @Override
    public String toString() {
        return Long.toString(get());
    }
}
