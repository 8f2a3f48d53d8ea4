package io.joblib4j.internal.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The channel codec: large primitive arrays in raw form, exit statuses. */
class CodecTest {

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
