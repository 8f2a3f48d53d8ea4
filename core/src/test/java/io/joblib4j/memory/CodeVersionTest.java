package io.joblib4j.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.SerializableFunction;
import io.joblib4j.internal.CodeVersions;
import io.joblib4j.internal.process.ChildJvms;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Code versions from real, separately compiled versions of a class: what changes them and what does not. */
class CodeVersionTest {
    @TempDir
    Path dir;

    private static final String V1 = """
            package demo;
            import io.joblib4j.SerializableFunction;
            public class Calc {
                public static SerializableFunction<Integer, Integer> fn() { return Calc::compute; }
                static int compute(int x) { return Helper.scale(x) + 1; }
            }
            """;
    private static final String HELPER_V1 = """
            package demo;
            class Helper {
                static int scale(int x) { return x * 2; }
                static int unrelated() { return 7; }
            }
            """;
    private static final String HELPER_REFORMATTED = """
            package demo;
            // a comment, blank lines and different formatting: same bytecode instructions
            class Helper {


                static int unrelated() { return 7; }
                static int scale(int x) {
                    return x * 2;
                }
            }
            """;
    private static final String HELPER_UNRELATED_EDIT = """
            package demo;
            class Helper {
                static int scale(int x) { return x * 2; }
                static int unrelated() { return 8; }
            }
            """;
    private static final String HELPER_V2 = """
            package demo;
            class Helper {
                static int scale(int x) { return x * 3; }
                static int unrelated() { return 7; }
            }
            """;

    private static final String CALC_INDY = """
            package demo;
            import io.joblib4j.SerializableFunction;
            import java.util.stream.IntStream;
            public class Calc {
                public static SerializableFunction<Integer, Integer> fn() { return Calc::compute; }
                static int compute(int x) { return IntStream.range(0, x).map(i -> Helper.scale(i)).sum() + Helper.TABLE[0]; }
            }
            """;
    private static final String HELPER_TABLE_1 = """
            package demo;
            class Helper {
                static final int[] TABLE = {1, 2, 3};
                static int scale(int x) { return x * 2; }
            }
            """;
    private static final String HELPER_TABLE_2 = """
            package demo;
            class Helper {
                static final int[] TABLE = {5, 2, 3};
                static int scale(int x) { return x * 2; }
            }
            """;
    private static final String HELPER_SCALE_2 = """
            package demo;
            class Helper {
                static final int[] TABLE = {1, 2, 3};
                static int scale(int x) { return x * 4; }
            }
            """;

    @Test
    void version_followsLambdasInsideAndStaticInitializersOfReadFields() throws Exception {
        try (URLClassLoader base = compile("t1", CALC_INDY, HELPER_TABLE_1);
                URLClassLoader table = compile("t2", CALC_INDY, HELPER_TABLE_2);
                URLClassLoader scale = compile("t3", CALC_INDY, HELPER_SCALE_2)) {
            String v = version(base);
            assertThat(version(table))
                    .as("edited static initializer of a field the function reads")
                    .isNotEqualTo(v);
            assertThat(version(scale))
                    .as("edited helper called from a lambda inside the function")
                    .isNotEqualTo(v);
            assertThat(CodeVersions.of(base, "demo/Calc", "compute", "(I)I").methods())
                    .anyMatch(m -> m.startsWith("demo.Calc.lambda$compute$"))
                    .contains("demo.Helper.scale (I)I", "demo.Helper.<clinit> ()V");
            assertThat(fn(base).apply(3)).isEqualTo(0 + 2 + 4 + 1);
        }
    }

    /** Compiles the sources into a fresh directory and returns a loader for it. */
    private URLClassLoader compile(String name, String calc, String helper) throws IOException {
        Path src = dir.resolve(name + "-src/demo");
        Files.createDirectories(src);
        Files.writeString(src.resolve("Calc.java"), calc);
        Files.writeString(src.resolve("Helper.java"), helper);
        Path out = dir.resolve(name + "-classes");
        Files.createDirectories(out);
        Path javac =
                Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("javac");
        Process p = new ProcessBuilder(
                        javac.toString(),
                        "-d",
                        out.toString(),
                        "-cp",
                        ChildJvms.flatClassPath(),
                        src.resolve("Calc.java").toString(),
                        src.resolve("Helper.java").toString())
                .inheritIO()
                .start();
        try {
            assertThat(p.waitFor()).as("javac exit code").isZero();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return new URLClassLoader(new URL[] {out.toUri().toURL()}, getClass().getClassLoader());
    }

    @SuppressWarnings("unchecked")
    private static SerializableFunction<Integer, Integer> fn(ClassLoader loader) throws Exception {
        return (SerializableFunction<Integer, Integer>)
                loader.loadClass("demo.Calc").getMethod("fn").invoke(null);
    }

    private static String version(ClassLoader loader) {
        return CodeVersions.of(loader, "demo/Calc", "compute", "(I)I").hash();
    }

    @Test
    void version_changesWithCalledHelper_notWithFormattingOrUnrelatedMethods() throws Exception {
        try (URLClassLoader v1 = compile("v1", V1, HELPER_V1);
                URLClassLoader reformatted = compile("v1b", V1, HELPER_REFORMATTED);
                URLClassLoader unrelated = compile("v1c", V1, HELPER_UNRELATED_EDIT);
                URLClassLoader v2 = compile("v2", V1, HELPER_V2)) {
            assertThat(version(reformatted)).isEqualTo(version(v1));
            assertThat(version(unrelated)).isEqualTo(version(v1));
            assertThat(version(v2)).isNotEqualTo(version(v1));
            assertThat(CodeVersions.of(v1, "demo/Calc", "compute", "(I)I").methods())
                    .containsExactly("demo.Calc.compute (I)I", "demo.Helper.scale (I)I");
        }
    }

    @Test
    void version_ofJdkMethod_isStableAndSkipsJdkCode() {
        CodeVersions.CodeVersion v = CodeVersions.of(getClass().getClassLoader(), "java/lang/Math", "sqrt", "(D)D");
        assertThat(v.methods()).containsExactly("java.lang.Math.sqrt (D)D");
        assertThat(v.hash())
                .isEqualTo(CodeVersions.of(getClass().getClassLoader(), "java/lang/Math", "sqrt", "(D)D")
                        .hash());
    }

    @Test
    void memory_helperEdited_dropsOldEntriesOnceWithMessage_andRecomputes() throws Exception {
        Memory memory =
                Memory.builder().location(dir.resolve("cache")).verbose(1).build();
        try (URLClassLoader v1 = compile("v1", V1, HELPER_V1);
                URLClassLoader v2 = compile("v2", V1, HELPER_V2)) {
            CachedFunction<Integer, Integer> f1 = memory.cache(fn(v1));
            CachedFunction<Integer, Integer> f2 = memory.cache(fn(v2));
            assertThat(f1.functionId()).isEqualTo(f2.functionId()).isEqualTo("demo.Calc.compute");
            String first = MemoryTest.captureErr(() -> assertThat(f1.apply(5)).isEqualTo(11));
            assertThat(first).contains("Calling demo.Calc.compute...").doesNotContain("has changed");
            String second = MemoryTest.captureErr(() -> {
                assertThat(f2.apply(5)).isEqualTo(16);
                assertThat(f2.apply(5)).isEqualTo(16);
            });
            assertThat(second)
                    .containsOnlyOnce("Function compute (identified by demo.Calc.compute) has changed")
                    .containsOnlyOnce("Calling demo.Calc.compute...");
            assertThat(f1.isCached(5)).isFalse();
            assertThat(memory.entries()).hasSize(1);
        }
    }

    @Test
    void lambdaInTestClass_followsItsOwnHelpers() {
        SerializableFunction<Integer, Integer> f = x -> helperForLambda(x);
        CodeVersions.CodeVersion v = CodeVersions.of(
                getClass().getClassLoader(),
                "io/joblib4j/memory/CodeVersionTest",
                io.joblib4j.internal.FunctionIdentity.of(f, null, 1, "apply", "(Ljava/lang/Object;)Ljava/lang/Object;")
                        .method(),
                "(Ljava/lang/Integer;)Ljava/lang/Integer;");
        assertThat(v.methods()).anyMatch(m -> m.contains("helperForLambda"));
        assertThat(List.of(v.complete())).containsExactly(true);
    }

    static int helperForLambda(int x) {
        return x + 1;
    }
}
