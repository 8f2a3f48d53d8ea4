package io.joblib4j.bench.parallel;

import io.joblib4j.array.NdArray;
import io.joblib4j.array.Npy;
import io.joblib4j.parallel.Parallel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * One fresh-JVM sample for {@code bench/run-string-concat.sh}, which runs it against core compiled with
 * {@code -XDstringConcat=inline} and with javac's default: the first {@link Parallel} call of the JVM, then two
 * string-heavy paths of core (formatting arrays, writing .npy headers), first use and warm. Nothing in this class
 * concatenates strings before the figures are taken, so that only core's strategy is measured.
 */
public final class StringConcatProbe {
    private StringConcatProbe() {}

    static int inc(int x) {
        return x + 1;
    }

    public static void main(String[] args) throws IOException {
        long t0 = System.nanoTime();
        List<Integer> r = Parallel.of(2).map(StringConcatProbe::inc, List.of(1, 2, 3, 4, 5, 6, 7, 8));
        long firstCall = System.nanoTime() - t0;

        NdArray a = NdArray.wrap(new double[] {0.5, 1.25, -3, 4e-9, 5, 6, 7, 8, 9, 10, 11, 12}, 3, 4);
        long t1 = System.nanoTime();
        int chars = a.toString().length();
        long firstFormat = System.nanoTime() - t1;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long t2 = System.nanoTime();
        Npy.save(out, a);
        long firstNpy = System.nanoTime() - t2;

        int rounds = 20_000;
        long t3 = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            chars += a.toString().length();
            out.reset();
            Npy.save(out, a);
            chars += out.size();
        }
        long warm = System.nanoTime() - t3;
        System.out.println(String.format(
                Locale.ROOT,
                "firstCallMs=%.2f firstFormatMs=%.2f firstNpyMs=%.2f warmUsPerRound=%.3f check=%d,%d",
                firstCall / 1e6,
                firstFormat / 1e6,
                firstNpy / 1e6,
                warm / 1e3 / rounds,
                r.get(7),
                chars));
    }
}
