package io.joblib4j.internal;

import java.util.AbstractCollection;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.RandomAccess;
import org.jspecify.annotations.Nullable;

/**
 * The values of one call, in input order, in one array that the call's batches write in place: on a backend whose
 * workers share the caller's memory, each task's value goes straight to its slot, and the caller does not copy the
 * values of every batch into the call's list one by one (for tiny tasks, that copy in the caller's thread took as
 * long as the tasks on both workers).
 *
 * <p>A batch writes through {@link #view}, a list that grows as its tasks return and is the batch's values as far
 * as any other code can tell. Whatever reaches the caller in some other form (a batch that was not given a view)
 * is placed with {@link #place}. Writes are published to the caller by the hand-off of the finished batch.
 */
public final class ResultSlots {

    /** A batch that can write its values into slots: returns a copy of itself that does. */
    public interface Writer {
        /** This batch, writing its values into {@code slots} at their input indexes. */
        Object writingInto(ResultSlots slots);
    }

    private @Nullable Object[] values;

    /** Slots for {@code size} values, the size the input says it has. */
    public ResultSlots(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be at least 0, got " + size);
        }
        values = new Object[size];
    }

    /** Whether the tasks from {@code first} to {@code first + count - 1} have slots here. */
    public boolean fits(long first, int count) {
        return first >= 0 && count >= 0 && first + count <= values.length;
    }

    /**
     * An empty list whose {@code add} writes the values of tasks {@code first}, {@code first + 1}, ... in place.
     *
     * @param capacity how many values it takes at most (the batch's size)
     */
    public List<@Nullable Object> view(long first, int capacity) {
        if (!fits(first, capacity)) {
            throw new IllegalArgumentException(
                    "tasks " + first + " to " + (first + capacity - 1) + " have no slots among " + values.length);
        }
        return new View(values, (int) first, capacity);
    }

    /**
     * Puts {@code items} from index {@code from} in the slots from {@code position} on, unless they already are
     * there (a {@link #view} of this at that position); grows the slots when the input turned out longer than it
     * said.
     */
    public void place(List<@Nullable Object> items, int from, long position) {
        if (from == 0 && items instanceof View v && v.array == values && v.offset == position) {
            return;
        }
        int n = items.size() - from;
        long end = position + n;
        if (end > values.length) {
            if (end > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("more than " + (Integer.MAX_VALUE - 16) + " values in one list");
            }
            values = Arrays.copyOf(values, (int) Math.max(end, Math.min(Integer.MAX_VALUE - 16, 2L * values.length)));
        }
        @Nullable Object[] into = values;
        int at = (int) position;
        for (int i = 0; i < n; i++) {
            into[at + i] = items.get(from + i);
        }
    }

    /** A new {@link ArrayList} of the first {@code count} values (one copy of the array). */
    public List<@Nullable Object> list(long count) {
        if (count < 0 || count > values.length) {
            throw new IllegalArgumentException("count must be within 0 to " + values.length + ", got " + count);
        }
        @Nullable Object[] all = values;
        int size = (int) count;
        // ArrayList copies what toArray returns (it keeps only an ArrayList's own array): one copy, not two
        return new ArrayList<>(new AbstractCollection<@Nullable Object>() {
            @Override
            public Iterator<@Nullable Object> iterator() {
                return Arrays.asList(all).subList(0, size).iterator();
            }

            @Override
            public int size() {
                return size;
            }

            // NullAway: the values of tasks may be null, and the list holds them as they are
            @SuppressWarnings("NullAway")
            @Override
            public Object[] toArray() {
                return size == all.length ? all : Arrays.copyOf(all, size);
            }
        });
    }

    /** The values of one batch so far: a window on the slots that grows with each {@code add}. */
    private static final class View extends AbstractList<@Nullable Object> implements RandomAccess {
        final @Nullable Object[] array;
        final int offset;
        final int capacity;
        int size;

        View(@Nullable Object[] array, int offset, int capacity) {
            this.array = array;
            this.offset = offset;
            this.capacity = capacity;
        }

        @Override
        public boolean add(@Nullable Object value) {
            if (size == capacity) {
                throw new IllegalStateException("a batch of " + capacity + " tasks has no slot for a value more");
            }
            array[offset + size++] = value;
            return true;
        }

        @Override
        public @Nullable Object get(int index) {
            java.util.Objects.checkIndex(index, size);
            return array[offset + index];
        }

        @Override
        public int size() {
            return size;
        }
    }
}
