package io.joblib4j.backend;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The values of a batch's tasks in a form fit to be sent to another JVM with JDK serialization, for backends that
 * send results over a network: when every value is null, a boxed primitive or a short string, they travel in the
 * compact form the process backend uses (a tag byte and the value's bits each), otherwise as a list by JDK
 * serialization. Reading a list of a thousand {@code Integer}s back this way costs a fraction of JDK serialization's
 * class descriptors, handles and reflective field access per value.
 *
 * <p>Equal values come back equal, not as shared instances.
 */
public final class PortableValues implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private transient List<@Nullable Object> values;

    private PortableValues(List<@Nullable Object> values) {
        this.values = values;
    }

    /**
     * The values, to be sent; the list is kept, not copied (do not change it afterwards).
     *
     * @throws NullPointerException if {@code values} is null
     */
    public static PortableValues of(List<@Nullable Object> values) {
        return new PortableValues(java.util.Objects.requireNonNull(values, "values must not be null"));
    }

    /** The values, in order. */
    public List<@Nullable Object> values() {
        return values;
    }

    @Serial
    private void writeObject(ObjectOutputStream out) throws IOException {
        boolean compact = CompactValues.writable(values);
        out.writeBoolean(compact);
        if (compact) {
            CompactValues.write(out, values);
        } else {
            out.writeObject(values.toArray());
        }
    }

    @Serial
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        boolean compact = in.readBoolean();
        Object read = compact ? CompactValues.read(in) : in.readObject();
        if (!(read instanceof Object[] array)) {
            throw new java.io.InvalidObjectException("expected the values of a batch, got " + read);
        }
        List<@Nullable Object> list = Arrays.asList(array);
        values = list;
    }

    @Override
    public String toString() {
        return "PortableValues" + values;
    }
}
