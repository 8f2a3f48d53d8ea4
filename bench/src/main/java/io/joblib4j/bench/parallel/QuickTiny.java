package io.joblib4j.bench.parallel;

import io.joblib4j.parallel.Parallel;
import java.util.ArrayList;
import java.util.stream.IntStream;
import java.util.List;

public class QuickTiny {
    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        List<Integer> in = IntStream.range(0, n).boxed().toList();
        for (int r = 0; r < 5; r++) {
            long t = System.nanoTime();
            List<Double> loop = new ArrayList<>();
            for (Integer x : in) loop.add(Math.sqrt(x));
            long dl = System.nanoTime() - t;
            t = System.nanoTime();
            List<Double> ps = in.parallelStream().map(x -> Math.sqrt(x)).toList();
            long dps = System.nanoTime() - t;
            try (Parallel p = Parallel.of(2)) {
                t = System.nanoTime();
                List<Double> out = p.map(x -> Math.sqrt(x), in);
                long dt = System.nanoTime() - t;
                System.out.printf("n=%d loop %.1f ms, pstream %.1f ms, joblib4j %.1f ms  %.2f M tasks/s%n", n, dl/1e6, dps/1e6, dt / 1e6, n / (dt / 1e9) / 1e6);
            }
        }
    }
}
