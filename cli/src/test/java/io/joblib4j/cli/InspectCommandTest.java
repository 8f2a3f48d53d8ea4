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
        InspectCommand cmd = new InspectCommand(
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
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
        assertThat(r.out())
                .contains(
                        "format version 2",
                        "uncompressed",
                        "double[]",
                        "NdArray",
                        "<i4",
                        "[5, 5]",
                        Custom.class.getCanonicalName() + "   [not on the default allowlist]");
    }

    @Test
    void inspect_dump_printsTypesAsSourceNames_notJvmDescriptors() throws Exception {
        Path f = dir.resolve("names.j4j");
        Joblib.dump(
                List.of(
                        new double[100],
                        new int[30],
                        new long[2][3],
                        List.of(1, 2, 3),
                        Map.entry("a", 1),
                        new String[] {"a"},
                        new java.util.ArrayList<>(List.of(1))),
                f);
        Run r = inspect(f);
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .contains(
                        "root: List",
                        "  double[]",
                        "  int[]",
                        "  long[][]",
                        "  List",
                        "  Map.Entry",
                        "  String[]",
                        "  Integer",
                        "  java.util.ArrayList");
        assertThat(r.out()).doesNotContain("[D", "[I", "ImmutableCollections$", "KeyValueHolder", "[Ljava");
    }

    @Test
    void sourceName_mapsDescriptorsAndHiddenJdkClasses() {
        assertThat(InspectCommand.sourceName("[D")).isEqualTo("double[]");
        assertThat(InspectCommand.sourceName("[[Z")).isEqualTo("boolean[][]");
        assertThat(InspectCommand.sourceName("[Ljava.lang.String;")).isEqualTo("String[]");
        assertThat(InspectCommand.sourceName("java.util.ImmutableCollections$ListN"))
                .isEqualTo("List");
        assertThat(InspectCommand.sourceName("java.util.ImmutableCollections$MapN"))
                .isEqualTo("Map");
        assertThat(InspectCommand.sourceName("java.util.Collections$UnmodifiableSet"))
                .isEqualTo("Set");
        assertThat(InspectCommand.sourceName("java.util.KeyValueHolder")).isEqualTo("Map.Entry");
        assertThat(InspectCommand.sourceName("java.util.TreeMap")).isEqualTo("java.util.TreeMap");
        assertThat(InspectCommand.sourceName("com.acme.Outer$Inner")).isEqualTo("com.acme.Outer.Inner");
        assertThat(InspectCommand.sourceName("com.acme.Outer$1")).isEqualTo("com.acme.Outer$1");
    }

    @Test
    void inspect_directory_saysItIsADirectory() throws Exception {
        Path d = Files.createDirectory(dir.resolve("cache"));
        Run r = inspect(d);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains(d.toString(), "a directory").doesNotContain("no such file");
        assertThat(inspect(dir.resolve("missing.j4j")).err()).contains("no such file");
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
