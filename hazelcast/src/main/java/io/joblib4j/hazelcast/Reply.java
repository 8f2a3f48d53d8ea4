package io.joblib4j.hazelcast;

import io.joblib4j.backend.PortableValues;
import java.io.Serial;
import java.io.Serializable;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a member sends back for a batch: the values of its tasks up to the first failure (in their compact form when
 * they are boxed primitives and strings), that failure, the worker that ran them and how long it took.
 */
record Reply(PortableValues portable, @Nullable Throwable failure, String worker, long nanos) implements Serializable {
    @Serial
    private static final long serialVersionUID = 2L;

    Reply(List<@Nullable Object> values, @Nullable Throwable failure, String worker, long nanos) {
        this(PortableValues.of(values), failure, worker, nanos);
    }

    /** The values of the tasks that ran, in order. */
    List<@Nullable Object> values() {
        return portable.values();
    }
}
