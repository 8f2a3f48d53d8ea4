package io.joblib4j.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.joblib4j.Joblib;
import io.joblib4j.array.MmapMode;
import io.joblib4j.array.NdArray;
import io.joblib4j.array.PersistException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where dump writes and what it says when it cannot; loading a stream with an mmap mode. */
class DumpTargetsTest {
    @TempDir
    Path dir;

    @Test
    void dump_toAFullDevice_namesTheFile_andLeavesTheDeviceInPlace() throws Exception {
        Path full = Path.of("/dev/full");
        assumeTrue(Files.exists(full) && !Files.isRegularFile(full), "no /dev/full on this system");
        assertThatThrownBy(() -> Joblib.dump(new double[1 << 16], full))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining("/dev/full")
                .hasMessageContaining("No space left on device");
        assertThat(Files.isRegularFile(full))
                .as("/dev/full was replaced by a file")
                .isFalse();
        try (var stream = Files.list(Path.of("/dev"))) {
            assertThat(stream.map(p -> p.getFileName().toString())
                            .filter(n -> n.startsWith(".full.") && n.endsWith(".tmp")))
                    .isEmpty();
        }
    }

    @Test
    void dump_toADirectory_saysItIsADirectory() throws Exception {
        Path d = Files.createDirectory(dir.resolve("out"));
        assertThatThrownBy(() -> Joblib.dump("x", d))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining(d.toString())
                .hasMessageContaining("directory");
        assertThat(Files.isDirectory(d)).isTrue();
    }

    @Test
    void load_streamWithAnMmapMode_warnsOnce_andLoadsOntoTheHeap() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Joblib.dump(NdArray.wrap(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}), out);
        Logger log = Logger.getLogger("io.joblib4j.persist");
        List<String> warnings = new CopyOnWriteArrayList<>();
        Thread me = Thread.currentThread();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (Thread.currentThread() == me) {
                    warnings.add(
                            r.getLevel() + " " + java.text.MessageFormat.format(r.getMessage(), r.getParameters()));
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        log.addHandler(handler);
        NdArray a;
        try {
            a = Joblib.load(new ByteArrayInputStream(out.toByteArray()), LoadOptions.mmap(MmapMode.READ_ONLY));
        } finally {
            log.removeHandler(handler);
        }
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0))
                .startsWith("WARNING")
                .contains("stream cannot be memory-mapped")
                .contains("READ_ONLY");
        assertThat(a.file()).isEmpty();
        assertThat(a.toDoubleArray()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
    }
}
