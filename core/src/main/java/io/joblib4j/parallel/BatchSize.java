package io.joblib4j.parallel;

import java.io.Serializable;

/**
 * How many tasks are sent to a worker at once: {@link #auto()} (joblib's adaptive algorithm, the default) or a
 * fixed {@link #of(int) count}.
 */
public final class BatchSize implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final BatchSize AUTO = new BatchSize(0);

    private final int fixed;

    private BatchSize(int fixed) {
        this.fixed = fixed;
    }

    /**
     * Adaptive batching: starts at one task per batch and doubles or shrinks it so that a batch takes between
     * 0.2 s and 2 s, then spreads the tail of the input evenly over the workers.
     */
    public static BatchSize auto() {
        return AUTO;
    }

    /**
     * A fixed number of tasks per batch.
     *
     * @throws IllegalArgumentException if {@code size < 1}
     */
    public static BatchSize of(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("batchSize must be a positive integer or auto, got " + size);
        }
        return new BatchSize(size);
    }

    /** True for {@link #auto()}. */
    public boolean isAuto() {
        return fixed == 0;
    }

    /** The fixed size, or 0 for auto. */
    public int fixedSize() {
        return fixed;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BatchSize b && b.fixed == fixed;
    }

    @Override
    public int hashCode() {
        return fixed;
    }

    @Override
    public String toString() {
        return isAuto() ? "auto" : Integer.toString(fixed);
    }
}
