package io.joblib4j.hazelcast;

import java.io.Serial;
import java.io.Serializable;
import java.util.List;

/**
 * What a member sends back for a batch: the values of its tasks up to the first failure, that failure, the worker
 * that ran them and how long it took.
 */
record Reply(List<Object> values, Throwable failure, String worker, long nanos) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
}
