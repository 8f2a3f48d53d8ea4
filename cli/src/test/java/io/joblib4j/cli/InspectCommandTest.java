package io.joblib4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.Joblib;
import io.joblib4j.array.NdArray;
import io.joblib4j.array.Npy;
import io.joblib4j.persist.Compression;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class InspectCommandTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private Run inspect(Path file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        InspectCommand cmd = new InspectCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        int code = new CommandLine(cmd).execute(file.toString());
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A class the default allowlist refuses. */
    public static final class Custom {
        int x = 1;
    }

    @Test
    void inspect_dump_listsTypesAndArraysWithoutLoading() throws Exception {
        Path f = dir.resolve("d.j4j");
        Joblib.dump(List.of("name", new double[100], NdArray.wrap(new int[25], 5, 5), new Custom()), f);
        Run r = inspect(f);
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("format version 1", "uncompressed", "[D", "NdArray", "<i4", "[5, 5]",
                Custom.class.getName() + "   [not on the default allowlist]");
    }

    @Test
    void inspect_compressedDump_showsCodec() throws Exception {
        Path f = dir.resolve("d.j4j.zst");
        Joblib.dump(Map.of("k", new long[1000]), f, Compression.zstd());
        Run r = inspect(f);
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("compressed with zstd", "byte-shuffled", "<i8");
    }

    @Test
    void inspect_npyAndNpz() throws Exception {
        Path npy = dir.resolve("a.npy");
        Npy.save(npy, NdArray.wrap(new float[6], 2, 3));
        Run r = inspect(npy);
        assertThat(r.out()).contains("NumPy .npy version 1.0", "<f4", "[2, 3]");
        Path npz = dir.resolve("a.npz");
        Npy.saveNpz(npz, Map.of("x", NdArray.wrap(new double[3])));
        assertThat(inspect(npz).out()).contains("x.npy", "<f8", "[3]");
    }

    @Test
    void inspect_corruptFile_exitsOneWithOffset() throws Exception {
        Path f = dir.resolve("bad.j4j");
        Files.writeString(f, "certainly not a dump, but long enough to look at its first bytes");
        Run r = inspect(f);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("bad.j4j", "at offset 0", "not a joblib4j dump");
    }
}
