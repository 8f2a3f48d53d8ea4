package io.joblib4j.internal.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.testing.ByteSearch;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The channel codec: large primitive arrays in raw form, exit statuses. */
class CodecTest {

    @Test
    void lambdaWhoseClassIsMissing_failsNamingTheClass_notAsAnArrayStore() throws Exception {
        int captured = 7;
        io.joblib4j.Task<?>[] tasks = {() -> captured + 1};
        byte[] bytes = Codec.encode(tasks, null);
        // the same stream, naming a class of the same length that does not exist
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1)
                .replace("io.joblib4j.internal.process.CodecTest", "io.joblib4j.internal.process.CodecXest")
                .replace("io/joblib4j/internal/process/CodecTest", "io/joblib4j/internal/process/CodecXest");
        byte[] renamed = text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Codec.decode(renamed, null))
                .isInstanceOf(java.io.InvalidClassException.class)
                .hasMessageContaining("io.joblib4j.internal.process.CodecXest")
                .hasMessageContaining("class path");
    }

    @Test
    void largeArraysOfEveryType_roundTrip_andKeepSharedIdentity() throws Exception {
        Random r = new Random(42);
        double[] d = r.doubles(100_000).toArray();
        int[] i = r.ints(100_000).toArray();
        long[] l = r.longs(100_000).toArray();
        byte[] b = new byte[200_000];
        r.nextBytes(b);
        char[] c = new char[100_000];
        short[] s = new short[100_000];
        float[] f = new float[100_000];
        boolean[] z = new boolean[100_000];
        for (int k = 0; k < c.length; k++) {
            c[k] = (char) r.nextInt();
            s[k] = (short) r.nextInt();
            f[k] = r.nextFloat();
            z[k] = r.nextBoolean();
        }
        List<Object> in = List.of(d, i, l, b, c, s, f, z, d, new double[] {1, 2});
        @SuppressWarnings("unchecked")
        List<Object> out = (List<Object>) Codec.decode(Codec.encode(new java.util.ArrayList<>(in), null), null);
        assertThat((double[]) out.get(0)).isEqualTo(d);
        assertThat((int[]) out.get(1)).isEqualTo(i);
        assertThat((long[]) out.get(2)).isEqualTo(l);
        assertThat((byte[]) out.get(3)).isEqualTo(b);
        assertThat((char[]) out.get(4)).isEqualTo(c);
        assertThat((short[]) out.get(5)).isEqualTo(s);
        assertThat((float[]) out.get(6)).isEqualTo(f);
        assertThat((boolean[]) out.get(7)).isEqualTo(z);
        assertThat(out.get(8)).as("the same array twice stays one array").isSameAs(out.get(0));
        assertThat((double[]) out.get(9)).containsExactly(1, 2);
    }

    @Test
    void listsOfSimpleValues_roundTripInTheirCompactForm_andOthersAsBefore() throws Exception {
        java.util.ArrayList<Object> simple = new java.util.ArrayList<>(java.util.Arrays.asList(
                null,
                1,
                -7L,
                2.5,
                Double.NaN,
                "text",
                "",
                true,
                false,
                1.5f,
                (short) 3,
                (byte) -2,
                'x',
                Integer.MIN_VALUE,
                Long.MAX_VALUE,
                "\u00e9\u4e2d\ud83d\ude00"));
        byte[] compact = Codec.encode(simple, null);
        assertThat(compact[0]).as("compact form, not a JDK stream").isNotEqualTo((byte) 0xAC);
        assertThat(Codec.decode(compact, null))
                .isInstanceOf(java.util.ArrayList.class)
                .isEqualTo(simple);

        java.util.ArrayList<Object> mixed = new java.util.ArrayList<>(List.of(1, List.of(2), "a"));
        byte[] jdk = Codec.encode(mixed, null);
        assertThat(jdk[0]).isEqualTo((byte) 0xAC);
        assertThat(Codec.decode(jdk, null)).isEqualTo(mixed);

        java.util.ArrayList<Object> longString = new java.util.ArrayList<>(List.of("\u4e2d".repeat(30_000)));
        assertThat(Codec.decode(Codec.encode(longString, null), null)).isEqualTo(longString);
        assertThat(Codec.decode(Codec.encode(new java.util.ArrayList<>(), null), null))
                .isEqualTo(List.of());
    }

    static int twice(int x) {
        return 2 * x;
    }

    @Test
    void batchesOfCalls_roundTrip_withCompactArguments_andAStatelessFunctionDecodedOnce() throws Exception {
        io.joblib4j.SerializableFunction1<Integer, Integer> f = CodecTest::twice;
        io.joblib4j.backend.Batch simple = io.joblib4j.backend.Batch.ofCalls(
                5, f, new Object[] {1, 2, 3}, io.joblib4j.backend.BatchContext.none());
        io.joblib4j.backend.Batch a = (io.joblib4j.backend.Batch) Codec.decode(Codec.encode(simple, null), null);
        io.joblib4j.backend.Batch b = (io.joblib4j.backend.Batch) Codec.decode(Codec.encode(simple, null), null);
        assertThat(a.firstIndex()).isEqualTo(5);
        assertThat(a.runAll("w").values()).containsExactly(2, 4, 6);
        assertThat(b.runAll("w").values()).containsExactly(2, 4, 6);
        assertThat(functionOf(a)).as("a non-capturing lambda is decoded once").isSameAs(functionOf(b));
        String stream = new String(Codec.encode(simple, null), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(stream)
                .as("the lambda travels in its compact form, without its fields' names")
                .contains("LambdaForm")
                .doesNotContain("implMethodSignature");

        int[] captured = {10};
        io.joblib4j.SerializableFunction1<Object, Integer> g = x -> captured[0] + ((int[]) x)[0];
        io.joblib4j.backend.Batch arrays = io.joblib4j.backend.Batch.ofCalls(
                0, g, new Object[] {new int[] {1}, new int[] {2}}, io.joblib4j.backend.BatchContext.none());
        io.joblib4j.backend.Batch c = (io.joblib4j.backend.Batch) Codec.decode(Codec.encode(arrays, null), null);
        io.joblib4j.backend.Batch d = (io.joblib4j.backend.Batch) Codec.decode(Codec.encode(arrays, null), null);
        assertThat(c.runAll("w").values()).containsExactly(11, 12);
        assertThat(functionOf(c))
                .as("a capturing lambda is a fresh copy per message")
                .isNotSameAs(functionOf(d));
    }

    @Test
    void lambdaWithACorruptMethodKind_failsNamingTheLambda() throws Exception {
        io.joblib4j.SerializableFunction1<Integer, Integer> f = CodecTest::twice;
        io.joblib4j.backend.Batch batch =
                io.joblib4j.backend.Batch.ofCalls(0, f, new Object[] {1}, io.joblib4j.backend.BatchContext.none());
        byte[] bytes = Codec.encode(batch, null);
        // the method kind is the byte after the last of the lambda's strings, its instantiated method type
        byte[] type = "(Ljava/lang/Integer;)Ljava/lang/Integer;".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int at = ByteSearch.indexOf(bytes, type);
        assertThat(at).as("the lambda's type in the stream").isPositive();
        assertThat(bytes[at + type.length]).as("REF_invokeStatic").isEqualTo((byte) 6);
        bytes[at + type.length] = 0;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Codec.decode(bytes, null))
                .isInstanceOf(java.io.InvalidObjectException.class)
                .hasMessageContaining("corrupt lambda io/joblib4j/internal/process/CodecTest.twice: method kind 0");
    }

    private static Object functionOf(io.joblib4j.backend.Batch batch) throws Exception {
        java.lang.reflect.Field field = batch.getClass().getDeclaredField("function");
        field.setAccessible(true);
        return field.get(batch);
    }

    @Test
    void exitStatus_namesSignalsAsLokyDoes() {
        assertThat(ExitStatus.describe(0)).isEqualTo("EXIT(0)");
        assertThat(ExitStatus.describe(1)).isEqualTo("EXIT(1)");
        assertThat(ExitStatus.describe(137)).isEqualTo("SIGKILL(-9)");
        assertThat(ExitStatus.describe(134)).isEqualTo("SIGABRT(-6)");
        assertThat(ExitStatus.describe(139)).isEqualTo("SIGSEGV(-11)");
        assertThat(ExitStatus.describe(143)).isEqualTo("SIGTERM(-15)");
        assertThat(ExitStatus.describe(255)).isEqualTo("EXIT(255)");
    }
}
