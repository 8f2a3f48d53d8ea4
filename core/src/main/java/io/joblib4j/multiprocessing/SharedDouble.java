package io.joblib4j.multiprocessing;

import java.io.Serial;
import java.io.Serializable;

/**
 * A {@code double} in shared memory that every process it is passed to reads and updates atomically, without locks:
 * Python's {@code multiprocessing.Value('d')}. Stored as its {@link Double#doubleToRawLongBits bits};
 * {@link #addAndGet} is a compare-and-set loop, {@link #compareAndSet} compares bits (as
 * {@link java.util.concurrent.atomic.AtomicReference} of a boxed double would not).
 *
 * <p>The file holding it is deleted by {@link #close()} in the creator or when the creator exits.
 */
public final class SharedDouble implements Serializable, AutoCloseable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final SharedCell cell;

    private SharedDouble(SharedCell cell) {
        this.cell = cell;
    }

    /** A new shared value, {@code initial} at first. */
    public static SharedDouble create(double initial) {
        SharedDouble v = new SharedDouble(new SharedCell("double"));
        v.set(initial);
        return v;
    }

    private long bits() {
        return (long) SharedCell.LONG.getVolatile(cell.segment(), 0L);
    }

    public double get() {
        return Double.longBitsToDouble(bits());
    }

    public void set(double value) {
        SharedCell.LONG.setVolatile(cell.segment(), 0L, Double.doubleToRawLongBits(value));
    }

    /** Adds {@code delta} atomically; returns the new value. */
    public double addAndGet(double delta) {
        while (true) {
            long old = bits();
            double next = Double.longBitsToDouble(old) + delta;
            if (SharedCell.LONG.compareAndSet(cell.segment(), 0L, old, Double.doubleToRawLongBits(next))) {
                return next;
            }
        }
    }

    public double incrementAndGet() {
        return addAndGet(1.0);
    }

    /** Sets {@code update} if the value has the bits of {@code expect}; true if it did. */
    public boolean compareAndSet(double expect, double update) {
        return SharedCell.LONG.compareAndSet(
                cell.segment(), 0L, Double.doubleToRawLongBits(expect), Double.doubleToRawLongBits(update));
    }

    /** In the creator: deletes the value's file (processes that mapped it keep their mapping). Elsewhere: nothing. */
    @Override
    public void close() {
        cell.close();
    }

    @Override
    public String toString() {
        return Double.toString(get());
    }
}
