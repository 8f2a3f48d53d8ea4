package io.joblib4j.backend;

import io.joblib4j.Joblib;
import io.joblib4j.SerializableFunction1;
import io.joblib4j.Task;
import io.joblib4j.internal.Attempts;
import io.joblib4j.internal.ResultSlots;
import io.joblib4j.internal.SimpleValues;
import java.io.Externalizable;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInput;
import java.io.ObjectInputStream;
import java.io.ObjectOutput;
import java.io.Serial;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** The {@link Batch} of the engine and of {@link Batch#of}: tasks, or one function and its arguments. */
final class TaskBatch implements Batch, ResultSlots.Writer {
    @Serial
    private static final long serialVersionUID = 3L;

    private final long firstIndex;
    /**
     * The tasks, or the arguments of {@link #function} when the batch maps a function. Written by
     * {@link #writeItems}: arguments that are all boxed primitives, strings or null in their compact form.
     */
    private transient @Nullable Object[] items;

    private final @Nullable SerializableFunction1<@Nullable Object, ?> function;
    private final BatchContext context;
    /** 1 for the first run of these tasks, 2 for the first re-run after their worker was lost, and so on. */
    private final int attempt;
    /** Where the tasks write their values in place, or null for a list of the batch's own; never serialized. */
    private final transient @Nullable ResultSlots slots;

    private TaskBatch(
            long firstIndex,
            @Nullable SerializableFunction1<?, ?> function,
            @Nullable Object[] items,
            BatchContext context,
            int attempt) {
        this(firstIndex, function, items, context, attempt, null);
    }

    @SuppressWarnings("unchecked")
    private TaskBatch(
            long firstIndex,
            @Nullable SerializableFunction1<?, ?> function,
            @Nullable Object[] items,
            BatchContext context,
            int attempt,
            @Nullable ResultSlots slots) {
        if (items.length == 0) {
            throw new IllegalArgumentException("a batch needs at least one task");
        }
        if (firstIndex < 0) {
            throw new IllegalArgumentException("firstIndex must be at least 0, got " + firstIndex);
        }
        this.firstIndex = firstIndex;
        this.function = (SerializableFunction1<@Nullable Object, ?>) function;
        this.items = items;
        this.context = Objects.requireNonNull(context, "context");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be at least 1, got " + attempt);
        }
        this.attempt = attempt;
        if (slots != null && !slots.fits(firstIndex, items.length)) {
            throw new IllegalArgumentException(this + " has no slots among the call's");
        }
        this.slots = slots;
    }

    static TaskBatch ofTasks(long firstIndex, Task<?>[] tasks, BatchContext context) {
        for (int i = 0; i < tasks.length; i++) {
            if (tasks[i] == null) {
                throw new NullPointerException("task " + (firstIndex + i) + " is null");
            }
        }
        return new TaskBatch(firstIndex, null, tasks, context, 1);
    }

    static TaskBatch ofCalls(
            long firstIndex, SerializableFunction1<?, ?> function, @Nullable Object[] arguments, BatchContext context) {
        return new TaskBatch(firstIndex, Objects.requireNonNull(function, "function"), arguments, context, 1);
    }

    @Override
    public long firstIndex() {
        return firstIndex;
    }

    @Override
    public int size() {
        return items.length;
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public Batch withAttempt(int attempt) {
        return attempt == this.attempt ? this : new TaskBatch(firstIndex, function, items, context, attempt, slots);
    }

    @Override
    public Task<?> task(int i) {
        SerializableFunction1<@Nullable Object, ?> f = function;
        return f == null ? (Task<?>) Objects.requireNonNull(items[i]) : Joblib.delayed(f, items[i]);
    }

    @Override
    public List<Task<?>> tasks() {
        List<Task<?>> out = new ArrayList<>(items.length);
        for (int i = 0; i < items.length; i++) {
            out.add(task(i));
        }
        return out;
    }

    @Override
    public Batch slice(int from, int to) {
        Objects.checkFromToIndex(from, to, items.length);
        return new TaskBatch(firstIndex + from, function, Arrays.copyOfRange(items, from, to), context, attempt, slots);
    }

    @Override
    public Batch portable() {
        BatchContext p = context.portable();
        return p == context ? this : new TaskBatch(firstIndex, function, items, p, attempt, slots);
    }

    @Override
    public Batch writingInto(ResultSlots slots) {
        return new TaskBatch(firstIndex, function, items, context, attempt, Objects.requireNonNull(slots, "slots"));
    }

    // Named classes rather than lambdas for what every batch runs: on a cold JVM's first call, each of the threads that
    // runs a first batch at the same time would link (spin) a lambda class of its own.

    /** {@link #callAt} of one index, in the batch's context. */
    private final class CallAt implements java.util.concurrent.Callable<Object> {
        private final int index;

        CallAt(int index) {
            this.index = index;
        }

        // NullAway: a task's value may be null; BatchContext.callWith hands it back as it is
        @SuppressWarnings("NullAway")
        @Override
        public Object call() throws Exception {
            return callAt(index);
        }
    }

    /** {@link #runTasks} in the batch's context. */
    private final class RunTasks implements java.util.concurrent.Callable<BatchResult> {
        private final String worker;
        private final Batch.@Nullable TaskWatch watch;
        private final long start;
        private final List<@Nullable Object> values;

        RunTasks(String worker, Batch.@Nullable TaskWatch watch, long start, List<@Nullable Object> values) {
            this.worker = worker;
            this.watch = watch;
            this.start = start;
            this.values = values;
        }

        @Override
        public BatchResult call() {
            return runTasks(worker, watch, start, values);
        }
    }

    private @Nullable Object callAt(int i) throws Exception {
        SerializableFunction1<@Nullable Object, ?> f = function;
        return f == null ? ((Task<?>) Objects.requireNonNull(items[i])).call() : f.apply(items[i]);
    }

    @Override
    public @Nullable Object call(int i) throws Exception {
        Objects.checkIndex(i, items.length);
        int previous = Attempts.set(attempt);
        try {
            return context.callWith(new CallAt(i));
        } finally {
            Attempts.set(previous);
        }
    }

    @Override
    public BatchResult runAll(String worker, Batch.@Nullable TaskWatch watch) {
        long start = System.nanoTime();
        ResultSlots s = slots;
        List<@Nullable Object> values = s == null ? new ArrayList<>(items.length) : s.view(firstIndex, items.length);
        int previous = Attempts.set(attempt);
        try {
            return context.callWith(new RunTasks(worker, watch, start, values));
        } catch (Exception e) {
            // Only a context that fails to install or restore gets here: the tasks' own failures are results.
            return BatchResult.failure(this, values, e, worker, System.nanoTime() - start);
        } finally {
            Attempts.set(previous);
        }
    }

    private BatchResult runTasks(
            String worker, Batch.@Nullable TaskWatch watch, long start, List<@Nullable Object> values) {
        for (int i = 0; i < items.length; i++) {
            if (i > 0 && Thread.currentThread().isInterrupted()) {
                return BatchResult.failure(
                        this, values, new InterruptedException("batch aborted"), worker, System.nanoTime() - start);
            }
            try {
                if (watch != null) {
                    watch.started(i, values);
                }
                Object value;
                try {
                    value = callAt(i);
                } finally {
                    if (watch != null) {
                        watch.finished(i);
                    }
                }
                values.add(value);
            } catch (Throwable t) {
                return BatchResult.failure(this, values, t, worker, System.nanoTime() - start);
            }
        }
        return BatchResult.success(this, values, worker, System.nanoTime() - start);
    }

    /** A batch travels as its {@link Form}. */
    @Serial
    private Object writeReplace() {
        return new Form(this);
    }

    /**
     * The serial form of a batch: its index, attempt, function, context and items, without the names and types of its
     * fields, which the class's own form spells out in every batch (each batch to a worker is a stream of its own).
     * Streams holding the class's own form, written before this one existed, are still read ({@link #readObject}).
     */
    static final class Form implements Externalizable {
        @Serial
        private static final long serialVersionUID = 1L;

        private @Nullable TaskBatch batch;

        /** For deserialization. */
        public Form() {}

        Form(TaskBatch batch) {
            this.batch = batch;
        }

        @Override
        public void writeExternal(ObjectOutput out) throws IOException {
            TaskBatch b = Objects.requireNonNull(batch, "batch");
            out.writeLong(b.firstIndex);
            out.writeInt(b.attempt);
            out.writeObject(b.function);
            out.writeObject(b.context);
            writeItems(out, b.items);
        }

        @Override
        public void readExternal(ObjectInput in) throws IOException, ClassNotFoundException {
            long firstIndex = in.readLong();
            int attempt = in.readInt();
            Object function = in.readObject();
            Object context = in.readObject();
            @Nullable Object[] items = readItems(in);
            if (function != null && !(function instanceof SerializableFunction1)) {
                throw new InvalidObjectException("corrupt batch: a "
                        + function.getClass().getName() + " where a SerializableFunction1 was expected");
            }
            if (!(context instanceof BatchContext c)) {
                throw new InvalidObjectException("corrupt batch: a " + (context == null ? "null" : context.getClass())
                        + " where a BatchContext was expected");
            }
            if (function == null) {
                for (Object item : items) {
                    if (!(item instanceof Task)) {
                        throw new InvalidObjectException("corrupt batch: a "
                                + (item == null ? "null" : item.getClass().getName()) + " where a Task was expected");
                    }
                }
            }
            try {
                batch = new TaskBatch(firstIndex, (SerializableFunction1<?, ?>) function, items, c, attempt);
            } catch (IllegalArgumentException e) {
                throw new InvalidObjectException("corrupt batch: " + e.getMessage());
            }
        }

        @Serial
        private Object readResolve() throws InvalidObjectException {
            if (batch == null) {
                throw new InvalidObjectException("corrupt batch: no content");
            }
            return batch;
        }
    }

    private static void writeItems(ObjectOutput out, @Nullable Object[] items) throws IOException {
        boolean compact = items.getClass() == Object[].class && SimpleValues.writable(items);
        out.writeBoolean(compact);
        if (compact) {
            SimpleValues.write(out, items);
        } else {
            out.writeObject(items);
        }
    }

    private static @Nullable Object[] readItems(ObjectInput in) throws IOException, ClassNotFoundException {
        Object read = in.readBoolean() ? SimpleValues.read(in) : in.readObject();
        if (!(read instanceof Object[] array) || array.length == 0) {
            throw new InvalidObjectException("a batch needs at least one task, got " + read);
        }
        return array;
    }

    @Serial
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        items = readItems(in);
    }

    @Override
    public String toString() {
        return "Batch[" + firstIndex + ".." + (firstIndex + items.length - 1)
                + (attempt == 1 ? "" : ", attempt " + attempt) + "]";
    }
}
