package io.joblib4j.docs;

import static io.joblib4j.Joblib.delayed;
import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.parallel.Outcome;
import io.joblib4j.parallel.Parallel;
import io.joblib4j.parallel.ParallelConfig;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The examples of README.md and docs/parallel.md, run as tests. The text between {@code // region NAME} and
 * {@code // endregion} is what the documents show.
 */
class ParallelDocExamplesTest {

    @Test
    void readme_parallel() {
        // region readme-parallel
        // Python: Parallel(n_jobs=2)(delayed(sqrt)(i ** 2) for i in range(10))
        List<Double> roots =
                Parallel.of(2).run(IntStream.range(0, 10).mapToObj(i -> delayed(Math::sqrt, (double) i * i)));
        // [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]

        // Or map a function over a collection, on every CPU:
        List<Integer> lengths = Parallel.of(-1).map(String::length, List.of("joblib", "for", "the", "JVM"));
        // endregion
        assertThat(roots).containsExactly(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0);
        assertThat(lengths).containsExactly(6, 3, 3, 3);
    }

    static double simulate(long seed) {
        return new java.util.Random(seed).nextGaussian();
    }

    @Test
    void streams_and_outcomes() {
        // region streams
        try (Parallel parallel = Parallel.builder().nJobs(4).verbose(0).build()) {
            // Results in input order, as soon as each is ready; bounded memory for any input length.
            try (Stream<Double> results = parallel.stream(
                    ParallelDocExamplesTest::simulate, IntStream.range(0, 1_000).mapToObj(i -> (long) i))) {
                double total = results.mapToDouble(Double::doubleValue).sum();
                System.out.println(total);
            }
            // Completion order:
            try (Stream<Double> fastestFirst =
                    parallel.streamUnordered(ParallelDocExamplesTest::simulate, List.of(1L, 2L, 3L))) {
                fastestFirst.forEach(System.out::println);
            }
            // Keep going when some tasks fail, and look at each outcome:
            try (Stream<Outcome<Integer>> outcomes = parallel.outcomes(x -> 10 / x, List.of(1, 0, 5))) {
                outcomes.forEach(o -> System.out.println(o.isSuccess() ? o.value() : "failed: " + o.failure()));
            }
        }
        // endregion
    }

    @Test
    void config_and_timeout() {
        // region config
        try (var _ = ParallelConfig.builder().backend("virtual").nJobs(8).open()) {
            // Every Parallel in this thread (and in the tasks it runs) uses 8 virtual threads unless it says otherwise.
            List<Integer> fetched = Parallel.builder().build().map(id -> id * 2, List.of(1, 2, 3));
            System.out.println(fetched); // [2, 4, 6]
        }
        Parallel guarded = Parallel.builder()
                .nJobs(2)
                .timeout(Duration.ofSeconds(30)) // per task, from its start: TaskTimeoutException
                .progressBar(true) // a bar on the terminal, nothing when stderr is redirected
                .build();
        // endregion
        assertThat(guarded.map(x -> x + 1, List.of(1))).containsExactly(2);
        guarded.close();
    }
}
