package io.joblib4j.internal.process;

import io.joblib4j.Task;
import io.joblib4j.internal.ConfigFrame;
import java.io.Serial;
import java.io.Serializable;
import java.util.List;

/** A batch as it travels to a worker: the first task's input index, the call's configuration and the tasks. */
public record BatchMessage(long firstIndex, ConfigFrame context, List<? extends Task<?>> tasks) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
}
