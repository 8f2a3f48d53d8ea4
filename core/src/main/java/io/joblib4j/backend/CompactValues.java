package io.joblib4j.backend;

import io.joblib4j.internal.SimpleValues;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The compact form of {@link PortableValues}, kept out of the public SPI class (it is core's internal codec). */
final class CompactValues {
    private CompactValues() {}

    static boolean writable(List<?> values) {
        return SimpleValues.writable(values);
    }

    static void write(DataOutput out, List<?> values) throws IOException {
        SimpleValues.write(out, values);
    }

    static @Nullable Object[] read(DataInput in) throws IOException {
        return SimpleValues.read(in);
    }
}
