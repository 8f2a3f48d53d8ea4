package io.joblib4j.parallel;

import java.util.NoSuchElementException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What became of one task in {@link Parallel#outcomes}: its value, or the exception it failed with.
 *
 * @param <R> the result type
 */
public final class Outcome<R> {
    private final long index;
    private final @Nullable R value;
    private final @Nullable RuntimeException failure;

    private Outcome(long index, @Nullable R value, @Nullable RuntimeException failure) {
        this.index = index;
        this.value = value;
        this.failure = failure;
    }

    static <R> Outcome<R> success(long index, R value) {
        return new Outcome<>(index, value, null);
    }

    static <R> Outcome<R> failure(long index, RuntimeException failure) {
        return new Outcome<>(index, null, failure);
    }

    /** The task's index in the input, from 0. */
    public long index() {
        return index;
    }

    /** True if the task returned a value. */
    public boolean isSuccess() {
        return failure == null;
    }

    /** True if the task failed. */
    public boolean isFailure() {
        return failure != null;
    }

    /**
     * The task's value.
     *
     * @throws RuntimeException the task's failure (as {@code Parallel.run} would have thrown it), if it failed
     */
    // NullAway: value is null when the task returned null, which R stands for
    @SuppressWarnings("NullAway")
    public R value() {
        if (failure != null) {
            throw failure;
        }
        return value;
    }

    /** The task's value, or empty if it failed or returned null. */
    public Optional<R> valueIfPresent() {
        return failure == null ? Optional.ofNullable(value) : Optional.empty();
    }

    /**
     * The failure: the task's own unchecked exception type, or {@link TaskFailedException} for a checked one, with a
     * {@link TaskFailure} naming the task.
     *
     * @throws NoSuchElementException if the task succeeded
     */
    public RuntimeException failure() {
        if (failure == null) {
            throw new NoSuchElementException("task " + index + " succeeded");
        }
        return failure;
    }

    @Override
    public String toString() {
        return failure == null
                ? "Outcome[" + index + ": " + value + "]"
                : "Outcome[" + index + " failed: " + failure + "]";
    }
}
