package io.joblib4j.multiprocessing;

import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;

/**
 * A counting semaphore shared by processes: Python's {@code multiprocessing.Semaphore}. Permits acquired by a process
 * that dies are given back at once (Python's stay taken).
 *
 * <p>The semaphore lives in the process that created it; if that process exits, every call fails with
 * {@link SharedObjectGoneException}.
 */
public final class ProcessSemaphore implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final HubRef ref;

    private ProcessSemaphore(HubRef ref) {
        this.ref = ref;
    }

    /**
     * A semaphore with {@code permits} permits, hosted by this process.
     *
     * @throws IllegalArgumentException if {@code permits < 0}
     */
    public static ProcessSemaphore create(int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("permits " + permits + " must be at least 0");
        }
        return new ProcessSemaphore(Hub.get().register(new HubObject.Semaphore(permits), "ProcessSemaphore"));
    }

    /** Takes a permit, waiting for one. */
    public void acquire() throws InterruptedException {
        Shared.check(HubClient.of(ref).call(ref, Wire.S_ACQUIRE, -1, 1), ref);
    }

    /** Takes a permit if one is free within {@code timeout}; true if it did. */
    public boolean tryAcquire(Duration timeout) throws InterruptedException {
        return Shared.check(HubClient.of(ref).call(ref, Wire.S_ACQUIRE, Shared.nanos(timeout), 1), ref)
                        .status()
                == Wire.OK;
    }

    /** Gives a permit back (also one this process did not take, as Python's {@code Semaphore} allows). */
    public void release() {
        Shared.check(HubClient.of(ref).callQuick(ref, Wire.S_RELEASE, 0, 1), ref);
    }

    /** The permits free now. */
    public int availablePermits() {
        return (int) Shared.check(HubClient.of(ref).callQuick(ref, Wire.S_AVAILABLE, 0, 0), ref)
                .n();
    }

    /** In the process that created the semaphore: stops hosting it. Elsewhere: nothing. */
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
