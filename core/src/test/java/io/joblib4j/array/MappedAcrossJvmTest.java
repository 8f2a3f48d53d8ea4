package io.joblib4j.array;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.Joblib;
import io.joblib4j.internal.process.ChildJvms;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file-mapped NdArray passed by reference to another JVM: the child maps the same bytes from its
 * {@link NdArray.MappedRef}, reads them and writes through, and the parent sees the write.
 */
class MappedAcrossJvmTest {
    @TempDir
    Path dir;

    /** The child JVM: reads a MappedRef from the file in args[0], doubles element 0, writes its sum to args[1]. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            NdArray.MappedRef ref;
            try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(Path.of(args[0])))) {
                ref = (NdArray.MappedRef) in.readObject();
            }
            NdArray a = ref.map();
            double sum = 0;
            for (long i = 0; i < a.size(); i++) {
                sum += a.getFlatDouble(i);
            }
            a.setFlatDouble(0, a.getFlatDouble(0) * 2);
            a.force();
            Files.writeString(Path.of(args[1]), Double.toString(sum));
        }
    }

    @Test
    void mappedRef_otherJvm_readsAndWritesTheSameBytes() throws Exception {
        Path data = dir.resolve("data.j4j");
        double[] values = new double[100_000];
        java.util.Arrays.setAll(values, i -> i);
        Joblib.dump(List.of("payload", NdArray.wrap(values)), data);
        List<Object> loaded = Joblib.load(data, MmapMode.READ_WRITE);
        NdArray mapped = ((NdArray) loaded.get(1)).slice(10, 20);
        Path refFile = dir.resolve("ref.ser");
        try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(refFile))) {
            out.writeObject(mapped.mappedRef().orElseThrow());
        }
        Path result = dir.resolve("sum.txt");
        List<String> cmd = new ArrayList<>(ChildJvms.command(Child.class));
        cmd.add(refFile.toString());
        cmd.add(result.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(Double.parseDouble(Files.readString(result))).isEqualTo(145.0); // 10 + 11 + ... + 19
        assertThat(mapped.getFlatDouble(0)).isEqualTo(20.0);
        assertThat(((NdArray) Joblib.<List<Object>>load(data).get(1)).getFlatDouble(10))
                .isEqualTo(20.0);
    }
}
