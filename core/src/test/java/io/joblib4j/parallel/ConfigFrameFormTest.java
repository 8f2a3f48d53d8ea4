package io.joblib4j.parallel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.joblib4j.SerializableRunnable;
import io.joblib4j.array.MmapMode;
import io.joblib4j.testing.JavaSerialization;
import java.io.InvalidObjectException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The compact serial form in which a config frame goes with every batch to a worker JVM. */
class ConfigFrameFormTest {

    @Test
    void everyComponentSurvivesTheRoundTrip() throws Exception {
        SerializableRunnable init = () -> {};
        ConfigFrame full = new ConfigFrame(
                "threads",
                null,
                3,
                10,
                Prefer.THREADS,
                Require.SHAREDMEM,
                Duration.ofSeconds(-7, 123_456_789),
                PreDispatch.batches(4),
                BatchSize.of(17),
                "/tmp/some folder/é",
                -1L,
                MmapMode.READ_WRITE,
                Boolean.FALSE,
                2,
                init);
        ConfigFrame back = (ConfigFrame) JavaSerialization.read(JavaSerialization.write(full));
        assertThat(back)
                .usingRecursiveComparison()
                .ignoringFields("initializer")
                .isEqualTo(full);
        assertThat(back.initializer()).isNotNull();

        assertThat(JavaSerialization.read(JavaSerialization.write(ConfigFrame.EMPTY)))
                .isEqualTo(ConfigFrame.EMPTY);
        ConfigFrame some = ConfigFrame.EMPTY.overlay(new ConfigFrame(
                null, null, 2, null, null, null, null, null, null, null, 1_000_000L, null, true, null, null));
        assertThat(JavaSerialization.read(JavaSerialization.write(some))).isEqualTo(some);
    }

    @Test
    void theFormIsMuchSmallerThanTheRecordsOwn() throws Exception {
        ConfigFrame some = new ConfigFrame(
                null, null, 2, null, null, null, null, null, null, null, 1_000_000L, null, true, null, null);
        assertThat(JavaSerialization.write(some).length).isLessThan(120);
    }

    @Test
    void aCorruptForm_isRejectedWithAClearError() throws Exception {
        byte[] b = JavaSerialization.write(ConfigFrame.EMPTY);
        // the set-components mask is the last two bytes before the end of the block data
        int mask = indexOfMask(b);
        b[mask] = (byte) 0xFF;
        b[mask + 1] = (byte) 0xFF;
        assertThatThrownBy(() -> JavaSerialization.read(b))
                .isInstanceOf(InvalidObjectException.class)
                .hasMessageContaining("corrupt config frame");
    }

    /** The offset of the two-byte mask of an empty frame's form: the only block data in the stream. */
    private static int indexOfMask(byte[] b) {
        // TC_BLOCKDATA (0x77), length 2, then the mask 0x0000
        for (int i = b.length - 4; i >= 0; i--) {
            if (b[i] == 0x77 && b[i + 1] == 2 && b[i + 2] == 0 && b[i + 3] == 0) {
                return i + 2;
            }
        }
        throw new AssertionError("no mask in the stream");
    }
}
