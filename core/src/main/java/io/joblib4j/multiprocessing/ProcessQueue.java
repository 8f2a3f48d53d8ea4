package io.joblib4j.multiprocessing;

import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractQueue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A {@link BlockingQueue} shared by processes: Python's {@code multiprocessing.Queue}. The queue lives in the process
 * that created it ({@link #create()}); passing it to another process (captured in a {@link JvmProcess} target, or in
 * a task of {@code Parallel} or a {@code ProcessPool}) gives that process the same queue. Any number of producers and
 * consumers in any processes may use it at once.
 *
 * <ul>
 *   <li>Every item is delivered exactly once; the items of one producer thread are taken in the order it put them.
 *   <li>Items are serialized when put (a value that is not serializable fails at once with
 *       {@link IllegalArgumentException}) and deserialized when taken: a consumer gets a copy. Primitive arrays larger
 *       than 1 MiB inside an item travel through a shared-memory file instead of the socket.
 *   <li>{@link #put} blocks while a queue created with a capacity is full; on an unbounded queue it returns at once
 *       (the item is sent in order without waiting for the owner's answer; a failure is reported by the next call).
 *       In a process other than the owner, such items are buffered for a moment and written to the owner in
 *       batches, at the latest before any later call of the same process to the owner and when the process exits
 *       normally; as with Python's queue, a process killed outright may lose the items it put just before.
 *   <li>If the owner process exits (or {@linkplain #close() closes} the queue), every call, including those blocked in
 *       {@link #take()}, fails at once with {@link SharedObjectGoneException}.
 * </ul>
 *
 * <p>{@link #iterator()}, {@link #peek()}, {@code contains} and {@code toArray} work on a snapshot; the iterator
 * cannot remove.
 *
 * @param <E> the type of the items
 */
public final class ProcessQueue<E> extends AbstractQueue<E> implements BlockingQueue<E>, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final HubRef ref;
    private final int capacity;

    private ProcessQueue(HubRef ref, int capacity) {
        this.ref = ref;
        this.capacity = capacity;
    }

    /** An unbounded queue hosted by this process. */
    public static <E> ProcessQueue<E> create() {
        return create(Integer.MAX_VALUE);
    }

    /**
     * A queue holding at most {@code capacity} items, hosted by this process.
     *
     * @throws IllegalArgumentException if {@code capacity < 1}
     */
    public static <E> ProcessQueue<E> create(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity + " must be at least 1");
        }
        Hub hub = Hub.get();
        return new ProcessQueue<>(hub.register(new HubObject.Queue(capacity), "ProcessQueue"), capacity);
    }

    private HubClient client() {
        return HubClient.of(ref);
    }

    private boolean unbounded() {
        return capacity == Integer.MAX_VALUE;
    }

    @Override
    public void put(E e) throws InterruptedException {
        byte[] item = Shared.encode(e, "the item", ref);
        if (unbounded()) {
            client().send(ref, Wire.Q_PUT_ASYNC, -1, 0, item);
        } else {
            Shared.check(client().call(ref, Wire.Q_PUT, -1, 0, item), ref);
        }
    }

    @Override
    public boolean offer(E e) {
        byte[] item = Shared.encode(e, "the item", ref);
        if (unbounded()) {
            client().send(ref, Wire.Q_PUT_ASYNC, -1, 0, item);
            return true;
        }
        return Shared.check(client().callQuick(ref, Wire.Q_PUT, 0, 0, item), ref)
                        .status()
                == Wire.OK;
    }

    @Override
    public boolean offer(E e, long timeout, TimeUnit unit) throws InterruptedException {
        byte[] item = Shared.encode(e, "the item", ref);
        if (unbounded()) {
            client().send(ref, Wire.Q_PUT_ASYNC, -1, 0, item);
            return true;
        }
        return Shared.check(client().call(ref, Wire.Q_PUT, Shared.nanos(timeout, unit), 0, item), ref)
                        .status()
                == Wire.OK;
    }

    @Override
    public E take() throws InterruptedException {
        if (ref.isOwner()) {
            return Objects.requireNonNull(takeHere(-1), "item");
        }
        // without a timeout the hub answers with an item or an error status, which check() throws
        return Objects.requireNonNull(item(client().call(ref, Wire.Q_TAKE, -1, 0)), "item");
    }

    @Override
    public @Nullable E poll(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = Shared.nanos(timeout, unit);
        if (ref.isOwner()) {
            return takeHere(nanos);
        }
        return item(client().call(ref, Wire.Q_TAKE, nanos, 0));
    }

    @Override
    public @Nullable E poll() {
        if (ref.isOwner()) {
            try {
                return takeHere(0);
            } catch (InterruptedException e) {
                // never: a take that may not wait does not wait
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while taking from " + ref, e);
            }
        }
        return item(client().callQuick(ref, Wire.Q_TAKE, 0, 0));
    }

    /** A take in the process that owns the queue: straight from the queue, with no request and no reply. */
    @SuppressWarnings("unchecked")
    private @Nullable E takeHere(long nanos) throws InterruptedException {
        if (!(Hub.get().object(ref.id()) instanceof HubObject.Queue q)) {
            throw new SharedObjectGoneException(ref + " is gone: it was closed by its owner");
        }
        byte[] item = q.takeLocal(nanos, ref);
        return item == null ? null : (E) Shared.decode(item);
    }

    @SuppressWarnings("unchecked")
    private @Nullable E item(Wire.Reply r) {
        Shared.check(r, ref);
        return r.status() == Wire.OK ? (E) Shared.decode(r.blob(0)) : null;
    }

    @Override
    public @Nullable E peek() {
        List<E> all = snapshot();
        return all.isEmpty() ? null : all.getFirst();
    }

    /** The number of items in the queue now (others may change it at any time). */
    @Override
    public int size() {
        return (int)
                Shared.check(client().callQuick(ref, Wire.Q_SIZE, 0, 0), ref).n();
    }

    @Override
    public int remainingCapacity() {
        return (int) Shared.check(client().callQuick(ref, Wire.Q_REMAINING, 0, 0), ref)
                .n();
    }

    @Override
    public int drainTo(Collection<? super E> c) {
        return drainTo(c, Integer.MAX_VALUE);
    }

    @Override
    @SuppressWarnings("unchecked")
    public int drainTo(Collection<? super E> c, int maxElements) {
        Objects.requireNonNull(c, "c");
        if (c == this) {
            throw new IllegalArgumentException("cannot drain a queue into itself");
        }
        if (maxElements <= 0) {
            return 0;
        }
        Wire.Reply r = Shared.check(client().callQuick(ref, Wire.Q_DRAIN, maxElements, 0), ref);
        for (byte[] b : r.blobs()) {
            c.add((E) Shared.decode(b));
        }
        return r.blobs().length;
    }

    @Override
    public void clear() {
        Shared.check(client().callQuick(ref, Wire.Q_CLEAR, 0, 0), ref);
    }

    @SuppressWarnings("unchecked")
    private List<E> snapshot() {
        Wire.Reply r = Shared.check(client().callQuick(ref, Wire.Q_SNAPSHOT, 0, 0), ref);
        List<E> out = new ArrayList<>(r.blobs().length);
        for (byte[] b : r.blobs()) {
            out.add((E) Shared.decode(b));
        }
        return out;
    }

    /** An iterator over a snapshot of the items (it cannot remove them). */
    @Override
    public Iterator<E> iterator() {
        return Collections.unmodifiableList(snapshot()).iterator();
    }

    /**
     * In the process that created the queue: stops hosting it (every other user's calls fail with
     * {@link SharedObjectGoneException} from now on) and drops its items. Elsewhere: nothing (the queue is the owner's
     * to close). A queue is also closed when its owner exits.
     */
    public void close() {
        if (ref.isOwner()) {
            Hub.get().close(ref.id());
        }
    }

    @Override
    public String toString() {
        return ref.toString() + (unbounded() ? "" : " (capacity " + capacity + ")");
    }
}
