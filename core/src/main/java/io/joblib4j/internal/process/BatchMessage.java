package io.joblib4j.internal.process;

import io.joblib4j.Delayed;
import io.joblib4j.Joblib;
import io.joblib4j.SerializableBiFunction;
import io.joblib4j.SerializableFunction;
import io.joblib4j.Task;
import io.joblib4j.internal.ConfigFrame;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A batch as it travels to a worker: the first task's input index, the call's configuration and the tasks. A batch
 * whose tasks are all {@code delayed} calls of one function (what {@code Parallel.map} makes) travels compactly as
 * the function once and the arguments in one array, which halves the serialization work per task.
 */
public final class BatchMessage implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final long firstIndex;
    private final ConfigFrame context;
    private final List<? extends Task<?>> tasks;
    private final Object function;
    private final Object[] arguments;
    private final int arity;

    private BatchMessage(long firstIndex, ConfigFrame context, List<? extends Task<?>> tasks, Object function,
                         Object[] arguments, int arity) {
        this.firstIndex = firstIndex;
        this.context = context;
        this.tasks = tasks;
        this.function = function;
        this.arguments = arguments;
        this.arity = arity;
    }

    /** The message for {@code tasks}, compact when they are all delayed calls of one function. */
    public static BatchMessage of(long firstIndex, ConfigFrame context, List<? extends Task<?>> tasks) {
        if (tasks.getFirst() instanceof Delayed<?> first) {
            Object f = first.function();
            int arity = first.arguments().size();
            Object[] args = new Object[tasks.size() * arity];
            int k = 0;
            boolean same = true;
            for (Task<?> t : tasks) {
                if (!(t instanceof Delayed<?> d) || d.function() != f) {
                    same = false;
                    break;
                }
                List<Object> a = d.arguments();
                if (a.size() != arity) {
                    same = false;
                    break;
                }
                for (Object o : a) {
                    args[k++] = o;
                }
            }
            if (same) {
                return new BatchMessage(firstIndex, context, null, f, args, arity);
            }
        }
        return new BatchMessage(firstIndex, context, new ArrayList<>(tasks), null, null, 0);
    }

    public long firstIndex() {
        return firstIndex;
    }

    public ConfigFrame context() {
        return context;
    }

    /** The tasks, rebuilt from the compact form if need be. */
    @SuppressWarnings("unchecked")
    public List<? extends Task<?>> tasks() {
        if (tasks != null) {
            return tasks;
        }
        int n = arguments.length / arity;
        List<Task<?>> rebuilt = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (arity == 1) {
                rebuilt.add(Joblib.delayed((SerializableFunction<Object, Object>) function, arguments[i]));
            } else {
                rebuilt.add(Joblib.delayed((SerializableBiFunction<Object, Object, Object>) function,
                        arguments[2 * i], arguments[2 * i + 1]));
            }
        }
        return rebuilt;
    }
}
