package io.joblib4j.multiprocessing;

import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ConcurrentMap} hosted by the process that created it and usable from any process it is passed to:
 * Python's {@code Manager().dict()}. Every operation is a round trip to the owner; keys and values are serialized
 * (a reader gets a copy: change a value by putting it again, or atomically with {@code compute}, {@code merge} or
 * {@code replace}, which work through {@link #replace(Object, Object, Object)} and
 * {@link #putIfAbsent(Object, Object)}). Equality of keys and values is their classes' {@code equals}, evaluated in
 * the owner. Null keys and values are not allowed. {@link #entrySet()} and the views iterate over a snapshot;
 * removing through their iterators removes from the map.
 *
 * <p>If the owner exits, every call fails with {@link SharedObjectGoneException}.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class SharedMap<K, V> extends AbstractMap<K, V> implements ConcurrentMap<K, V>, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final HubRef ref;

    private SharedMap(HubRef ref) {
        this.ref = ref;
    }

    /** A new, empty map hosted by this process. */
    public static <K, V> SharedMap<K, V> create() {
        return new SharedMap<>(Hub.get().register(new HubObject.SharedMapObject(), "SharedMap"));
    }

    private Wire.Reply call(byte op, byte[]... blobs) {
        return Shared.check(HubClient.of(ref).callQuick(ref, op, 0, 0, blobs), ref);
    }

    private static byte[] key(Object key) {
        return Shared.encodePlain(Objects.requireNonNull(key, "key"), "the key");
    }

    private static byte[] value(Object value) {
        return Shared.encodePlain(Objects.requireNonNull(value, "value"), "the value");
    }

    @SuppressWarnings("unchecked")
    private @Nullable V decode(Wire.Reply r) {
        return r.n() == 0 ? null : (V) Shared.decode(r.blob(0));
    }

    @Override
    public @Nullable V get(Object key) {
        return decode(call(Wire.M_GET, key(key)));
    }

    @Override
    public boolean containsKey(Object key) {
        return call(Wire.M_CONTAINS, key(key)).n() == 1;
    }

    @Override
    public @Nullable V put(K key, V value) {
        return decode(call(Wire.M_PUT, key(key), value(value)));
    }

    @Override
    public @Nullable V putIfAbsent(K key, V value) {
        return decode(call(Wire.M_PUT_IF_ABSENT, key(key), value(value)));
    }

    @Override
    public @Nullable V remove(Object key) {
        return decode(call(Wire.M_REMOVE, key(key)));
    }

    @Override
    public boolean remove(Object key, Object value) {
        if (key == null || value == null) {
            return false;
        }
        return call(Wire.M_REMOVE_IF, key(key), value(value)).n() == 1;
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        return call(Wire.M_REPLACE_IF, key(key), value(oldValue), value(newValue))
                        .n()
                == 1;
    }

    @Override
    public @Nullable V replace(K key, V value) {
        return decode(call(Wire.M_REPLACE, key(key), value(value)));
    }

    @Override
    public int size() {
        return (int) call(Wire.M_SIZE).n();
    }

    @Override
    public void clear() {
        call(Wire.M_CLEAR);
    }

    /** A snapshot of the entries; {@code Iterator.remove} removes the key from the map. */
    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<K, V>> iterator() {
                Iterator<Map.Entry<K, V>> it = snapshot().iterator();
                return new Iterator<>() {
                    private Map.@Nullable Entry<K, V> last;

                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public Map.Entry<K, V> next() {
                        last = it.next();
                        return last;
                    }

                    @Override
                    public void remove() {
                        if (last == null) {
                            throw new IllegalStateException("next() has not been called");
                        }
                        SharedMap.this.remove(last.getKey());
                        last = null;
                    }
                };
            }

            @Override
            public int size() {
                return SharedMap.this.size();
            }
        };
    }

    @SuppressWarnings("unchecked")
    private List<Map.Entry<K, V>> snapshot() {
        Wire.Reply r = call(Wire.M_ENTRIES);
        List<Map.Entry<K, V>> out = new ArrayList<>(r.blobs().length / 2);
        for (int i = 0; i + 1 < r.blobs().length; i += 2) {
            out.add(new SimpleImmutableEntry<>((K) Shared.decode(r.blob(i)), (V) Shared.decode(r.blob(i + 1))));
        }
        return out;
    }

    /** In the process that created the map: stops hosting it and drops its entries. Elsewhere: nothing. */
    public void close() {
        if (ref.isOwner()) {
            Hub.get().close(ref.id());
        }
    }
}
