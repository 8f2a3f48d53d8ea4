package io.joblib4j.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import java.io.Serial;
import java.io.Serializable;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;

/**
 * Asks a member what it has done: the number of arrays it fetched and their bytes, and the batches it ran. For
 * tests and benchmarks that count what crossed the network.
 */
final class MemberStats implements Callable<long[]>, Serializable, HazelcastInstanceAware {
    @Serial
    private static final long serialVersionUID = 1L;

    private transient volatile @Nullable HazelcastInstance instance;

    @Override
    public void setHazelcastInstance(HazelcastInstance instance) {
        this.instance = instance;
    }

    /** {arrays fetched, bytes of arrays fetched, batches run, arrays cached now}. */
    @Override
    public long[] call() {
        HazelcastInstance hz = instance;
        if (hz == null) {
            throw new IllegalStateException("joblib4j member statistics are read only on a Hazelcast member");
        }
        return MemberRuntime.of(hz).stats();
    }
}
