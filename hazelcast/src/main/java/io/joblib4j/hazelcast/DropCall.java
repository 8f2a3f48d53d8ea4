package io.joblib4j.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import java.io.Serial;
import java.io.Serializable;
import org.jspecify.annotations.Nullable;

/** Sent to every member when a call ends: drop the arrays cached for it. */
final class DropCall implements Runnable, Serializable, HazelcastInstanceAware {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String callId;
    private transient volatile @Nullable HazelcastInstance instance;

    DropCall(String callId) {
        this.callId = callId;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance instance) {
        this.instance = instance;
    }

    @Override
    public void run() {
        HazelcastInstance hz = instance;
        if (hz != null) {
            MemberRuntime.of(hz).dropCall(callId);
        }
    }
}
