package io.joblib4j.docs;

import static io.joblib4j.Joblib.delayed;
import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.parallel.Parallel;
import io.joblib4j.parallel.ParallelConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The examples of docs/parallel.md about delayed calls of several arguments, checked exceptions and initializers. */
class ApiDocExamplesTest {
    static String thumbnail(String path, int width, int height) {
        return path + "@" + width + "x" + height;
    }

    static final ThreadLocal<StringBuilder> SCRATCH = new ThreadLocal<>();

    static void allocateScratch() {
        SCRATCH.set(new StringBuilder());
    }

    static int useScratch(int x) {
        return SCRATCH.get().append(x).length() > 0 ? x : -1;
    }

    @Test
    void delayedWithSeveralArgumentsAndCheckedExceptions() {
        List<String> paths = List.of("a.png", "b.png");
        // doc:delayed-args
        // Python: Parallel(n_jobs=2)(delayed(thumbnail)(p, 640, 480) for p in paths)
        List<String> thumbs =
                Parallel.of(2).run(paths.stream().map(p -> delayed(ApiDocExamplesTest::thumbnail, p, 640, 480)));

        // A function may throw checked exceptions (Thread.sleep, I/O): no try/catch in the lambda
        List<Integer> squares = Parallel.of(2)
                .map(
                        x -> {
                            Thread.sleep(100);
                            return x * x;
                        },
                        List.of(1, 2, 3));
        // end:delayed-args
        assertThat(thumbs).containsExactly("a.png@640x480", "b.png@640x480");
        assertThat(squares).containsExactly(1, 4, 9);
    }

    @Test
    void configInitializer() {
        // doc:config-initializer
        // Python: with parallel_config(n_jobs=2, initializer=allocate_scratch): ...
        try (var _ = ParallelConfig.builder()
                .nJobs(2)
                .initializer(ApiDocExamplesTest::allocateScratch)
                .open()) {
            List<Integer> r = Parallel.builder().build().map(ApiDocExamplesTest::useScratch, List.of(1, 2, 3));
            System.out.println(r);
        }
        // end:config-initializer
    }
}
