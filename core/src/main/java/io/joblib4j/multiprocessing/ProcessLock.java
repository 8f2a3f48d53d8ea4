package io.joblib4j.multiprocessing;

import java.io.Serial;
import java.io.Serializable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * A {@link Lock} shared by processes: Python's {@code multiprocessing.Lock}, held by one thread of one process at a
 * time. Reentrant, like {@link java.util.concurrent.locks.ReentrantLock}: the holding thread may lock again and must
 * unlock as many times. Only the holding thread may unlock it.
 *
 * <p>Unlike Python's, a lock held by a process that dies is released at once (as soon as the owner sees the
 * connection of the dead process close, well within a second), so the others do not wait for ever.
 *
 * <p>The lock lives in the process that created it; if that process exits, every call fails with
 * {@link SharedObjectGoneException}. {@link #newCondition()} is not supported.
 */
public final class ProcessLock implements Lock, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final HubRef ref;

    private ProcessLock(HubRef ref) {
        this.ref = ref;
    }

    /** A new lock hosted by this process. */
    public static ProcessLock create() {
        return new ProcessLock(Hub.get().register(new HubObject.Lock(), "ProcessLock"));
    }

    private static long thread() {
        return Thread.currentThread().threadId();
    }

    private Wire.Reply call(byte op, long timeout) throws InterruptedException {
        return Shared.check(HubClient.of(ref).call(ref, op, timeout, thread()), ref);
    }

    @Override
    public void lock() {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    call(Wire.L_LOCK, -1);
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        call(Wire.L_LOCK, -1);
    }

    @Override
    public boolean tryLock() {
        return Shared.check(HubClient.of(ref).callQuick(ref, Wire.L_LOCK, 0, thread()), ref)
                        .status()
                == Wire.OK;
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        return call(Wire.L_LOCK, Shared.nanos(time, unit)).status() == Wire.OK;
    }

    /**
     * Releases the lock (once, for a lock taken more than once by this thread).
     *
     * @throws IllegalMonitorStateException if this thread does not hold it
     */
    @Override
    public void unlock() {
        Wire.Reply r = HubClient.of(ref).callQuick(ref, Wire.L_UNLOCK, 0, thread());
        if (r.status() == Wire.ERROR) {
            throw new IllegalMonitorStateException(ref + ": " + HubClient.describe(r));
        }
        Shared.check(r, ref);
    }

    /** True if some thread of some process holds the lock now. */
    public boolean isLocked() {
        return Shared.check(HubClient.of(ref).callQuick(ref, Wire.L_LOCKED, 0, thread()), ref)
                        .n()
                != 0;
    }

    /** True if the current thread holds the lock. */
    public boolean isHeldByCurrentThread() {
        return Shared.check(HubClient.of(ref).callQuick(ref, Wire.L_LOCKED, 0, thread()), ref)
                        .n()
                == 2;
    }

    /** Not supported: a process-shared condition is not available. */
    @Override
    public Condition newCondition() {
        throw new UnsupportedOperationException("ProcessLock has no conditions; use a ProcessEvent or ProcessQueue");
    }

    /** In the process that created the lock: stops hosting it. Elsewhere: nothing. */
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
