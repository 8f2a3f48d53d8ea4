package io.joblib4j.multiprocessing;

import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;

/**
 * A flag that processes wait for: Python's {@code multiprocessing.Event}. {@link #set()} wakes every waiter; the flag
 * stays set until {@link #clear()}.
 *
 * <p>The event lives in the process that created it; if that process exits, every call, including waits, fails with
 * {@link SharedObjectGoneException}.
 */
public final class ProcessEvent implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final HubRef ref;

    private ProcessEvent(HubRef ref) {
        this.ref = ref;
    }

    /** A new event, not set, hosted by this process. */
    public static ProcessEvent create() {
        return new ProcessEvent(Hub.get().register(new HubObject.Event(), "ProcessEvent"));
    }

    /** Sets the flag, waking every waiter. */
    public void set() {
        Shared.check(HubClient.of(ref).callQuick(ref, Wire.E_SET, 0, 0), ref);
    }

    /** Clears the flag. */
    public void clear() {
        Shared.check(HubClient.of(ref).callQuick(ref, Wire.E_CLEAR, 0, 0), ref);
    }

    /** True if the flag is set. */
    public boolean isSet() {
        return Shared.check(HubClient.of(ref).callQuick(ref, Wire.E_IS_SET, 0, 0), ref)
                        .n()
                == 1;
    }

    /** Waits until the flag is set. */
    public void await() throws InterruptedException {
        Shared.check(HubClient.of(ref).call(ref, Wire.E_WAIT, -1, 0), ref);
    }

    /** Waits up to {@code timeout} for the flag; true if it is set. */
    public boolean await(Duration timeout) throws InterruptedException {
        return Shared.check(HubClient.of(ref).call(ref, Wire.E_WAIT, Shared.nanos(timeout), 0), ref)
                        .n()
                == 1;
    }

    /** In the process that created the event: stops hosting it. Elsewhere: nothing. */
    public void close() {
        if (ref.isOwner()) {
            Hub.get().close(ref.id());
        }
    }

    @Override
    public String toString() {
        return ref.toString();
    }
}
