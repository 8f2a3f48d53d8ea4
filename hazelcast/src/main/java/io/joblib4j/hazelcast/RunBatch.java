package io.joblib4j.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import java.io.Serial;
import java.io.Serializable;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;

/**
 * A batch on its way to a member: the serialized batch (large arrays replaced by their hashes), the call it belongs
 * to and the call's per-task timeout. Runs on the member through {@link MemberRuntime}.
 */
final class RunBatch implements Callable<Reply>, Serializable, HazelcastInstanceAware {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The call, to find the call's published arrays. */
    final String callId;
    /** The workers of one {@code Parallel}: the initializer runs once per member for them. */
    final String workersId;
    /** The serialized batch. */
    final byte[] payload;
    /** The serialized initializer, or null. */
    final byte @Nullable [] initializer;
    /** The per-task timeout, or 0 for none. */
    final long timeoutNanos;

    private transient volatile @Nullable HazelcastInstance instance;

    RunBatch(String callId, String workersId, byte[] payload, byte @Nullable [] initializer, long timeoutNanos) {
        this.callId = callId;
        this.workersId = workersId;
        this.payload = payload;
        this.initializer = initializer;
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance instance) {
        this.instance = instance;
    }

    @Override
    public Reply call() throws Exception {
        HazelcastInstance hz = instance;
        if (hz == null) {
            throw new IllegalStateException("a joblib4j batch runs only on a Hazelcast member");
        }
        MemberRuntime runtime = MemberRuntime.of(hz);
        try {
            return runtime.run(this);
        } catch (InterruptedException e) {
            throw e; // cancelled: nobody waits for the reply
        } catch (Exception | LinkageError e) {
            // The batch could not be read or started here (a refused class, a class missing from the member's
            // class path): the failure of its first task, reported like any task failure.
            return new Reply(java.util.List.of(), e, runtime.name(), 0);
        }
    }
}
