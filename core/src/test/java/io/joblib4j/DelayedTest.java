package io.joblib4j;

import static io.joblib4j.Joblib.delayed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.joblib4j.parallel.Outcome;
import io.joblib4j.parallel.Parallel;
import io.joblib4j.parallel.TaskFailedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code delayed} with one to six arguments, and functions that throw checked exceptions. */
class DelayedTest {

    static String join3(String a, int b, char c) {
        return a + b + c;
    }

    static int sum4(int a, int b, int c, int d) {
        return a + b + c + d;
    }

    static int sum5(int a, int b, int c, int d, int e) {
        return a + b + c + d + e;
    }

    static long sum6(int a, int b, int c, int d, int e, long f) {
        return a + b + c + d + e + f;
    }

    static int slowSquare(int x) throws InterruptedException {
        Thread.sleep(1);
        return x * x;
    }

    static String readFirstLine(Path file) throws IOException {
        return Files.readAllLines(file).getFirst();
    }

    @Test
    void delayed_threeToSixArguments_callTheFunctionWithThemInOrder() throws Exception {
        assertThat(delayed(DelayedTest::join3, "a", 1, 'c').call()).isEqualTo("a1c");
        assertThat(delayed(DelayedTest::sum4, 1, 2, 3, 4).call()).isEqualTo(10);
        assertThat(delayed(DelayedTest::sum5, 1, 2, 3, 4, 5).call()).isEqualTo(15);
        assertThat(delayed(DelayedTest::sum6, 1, 2, 3, 4, 5, 6L).call()).isEqualTo(21L);
        assertThat(delayed((String a, String b, String c) -> a + b + c, "x", "y", "z")
                        .call())
                .isEqualTo("xyz");
    }

    @Test
    void delayed_anyArity_keepsFunctionAndArgumentsInspectable() {
        Delayed<Long> task = delayed(DelayedTest::sum6, 1, 2, 3, 4, 5, 6L);
        assertThat(task.arguments()).containsExactly(1, 2, 3, 4, 5, 6L);
        assertThat(task.function()).isInstanceOf(SerializableFunction6.class);
        assertThat(task.describe()).isEqualTo("sum6(1, 2, 3, 4, 5, 6)");
        assertThat(delayed(DelayedTest::join3, "a", 1, 'c').describe()).isEqualTo("join3(\"a\", 1, c)");
        assertThat(delayed(Math::sqrt, 4.0).describe()).isEqualTo("sqrt(4.0)");
        assertThat(delayed(Math::max, 1, 2).arguments()).containsExactly(1, 2);
    }

    @Test
    void delayed_sameCallTwice_hashesEqually_otherArgumentsDiffer() {
        assertThat(Joblib.hash(delayed(DelayedTest::sum5, 1, 2, 3, 4, 5)))
                .isEqualTo(Joblib.hash(delayed(DelayedTest::sum5, 1, 2, 3, 4, 5)))
                .isNotEqualTo(Joblib.hash(delayed(DelayedTest::sum5, 1, 2, 3, 4, 6)));
    }

    @Test
    void delayed_lambdasAndMethodReferencesWithoutCheckedExceptions_stillCompileUnambiguously() throws Exception {
        // Each of these would fail to compile on an ambiguous overload.
        assertThat(delayed(x -> x + 1, 1).call()).isEqualTo(2);
        assertThat(delayed((a, b) -> a + b, 1, 2).call()).isEqualTo(3);
        assertThat(delayed(String::length, "four").call()).isEqualTo(4);
        assertThat(delayed(Math::sqrt, 9.0).call()).isEqualTo(3.0);
        assertThat(delayed(Integer::sum, 2, 3).call()).isEqualTo(5);
        SerializableFunction<Integer, Integer> plusOne = x -> x + 1; // a java.util.function.Function too
        Function<Integer, Integer> asJdkFunction = plusOne;
        assertThat(delayed(plusOne, 1).call()).isEqualTo(asJdkFunction.apply(1));
        SerializableBiFunction<Integer, Integer, Integer> times = (a, b) -> a * b;
        assertThat(delayed(times, 3, 4).call()).isEqualTo(12);
        assertThat(Parallel.of(2).map(plusOne, List.of(1, 2))).containsExactly(2, 3);
        assertThat(Parallel.of(2).map(x -> x * 2, List.of(1, 2))).containsExactly(2, 4);
        assertThat(Parallel.of(2).map(String::valueOf, Stream.of(1, 2))).containsExactly("1", "2");
    }

    @Test
    void mapAndDelayed_lambdaThatSleeps_compilesWithoutTryCatchAndRuns() {
        try (Parallel p = Parallel.of(2)) {
            List<Integer> slept = p.map(
                    x -> {
                        Thread.sleep(1);
                        return x;
                    },
                    List.of(1, 2, 3));
            assertThat(slept).containsExactly(1, 2, 3);
            assertThat(p.map(DelayedTest::slowSquare, List.of(2, 3))).containsExactly(4, 9);
            assertThat(p.run(IntStream.range(0, 3).mapToObj(i -> delayed(DelayedTest::slowSquare, i))))
                    .containsExactly(0, 1, 4);
            try (Stream<Integer> s = p.stream(DelayedTest::slowSquare, List.of(4))) {
                assertThat(s.toList()).containsExactly(16);
            }
            try (Stream<Integer> s = p.streamUnordered(DelayedTest::slowSquare, List.of(5))) {
                assertThat(s.toList()).containsExactly(25);
            }
        }
    }

    @Test
    void map_functionThrowsChecked_wrappedInTaskFailedExceptionNamingTheCall(@TempDir Path dir) throws IOException {
        Path present = Files.writeString(dir.resolve("present.txt"), "first\nsecond\n");
        Path missing = dir.resolve("missing.txt");
        Throwable t = catchThrowable(() -> Parallel.of(2).map(DelayedTest::readFirstLine, List.of(present, missing)));
        assertThat(t)
                .isInstanceOf(TaskFailedException.class)
                .hasCauseInstanceOf(java.nio.file.NoSuchFileException.class);
        assertThat(((TaskFailedException) t).taskIndex()).isEqualTo(1);
        assertThat(t).hasMessageContaining("readFirstLine").hasMessageContaining("missing.txt");

        Throwable viaDelayed = catchThrowable(() -> Parallel.of(2)
                .run(List.of(delayed((Path f, Integer n, String s) -> readFirstLine(f) + n + s, missing, 1, "x"))));
        assertThat(viaDelayed)
                .isInstanceOf(TaskFailedException.class)
                .hasCauseInstanceOf(java.nio.file.NoSuchFileException.class);
    }

    @Test
    void outcomes_functionThrowsChecked_isAFailedOutcome() {
        try (Stream<Outcome<Integer>> outcomes = Parallel.of(2)
                .outcomes(
                        x -> {
                            if (x == 0) {
                                throw new IOException("zero");
                            }
                            return 10 / x;
                        },
                        List.of(1, 0))) {
            List<Outcome<Integer>> all = outcomes.toList();
            assertThat(all.get(0).value()).isEqualTo(10);
            assertThat(all.get(1).isSuccess()).isFalse();
            assertThat(all.get(1).failure()).hasRootCauseInstanceOf(IOException.class);
        }
    }

    @Test
    void delayedWithSixArguments_onProcesses_runsInAWorkerJvm() {
        try (Parallel p = Parallel.builder().nJobs(2).backend("processes").build()) {
            List<Long> sums = p.run(IntStream.range(0, 4).mapToObj(i -> delayed(DelayedTest::sum6, i, 1, 1, 1, 1, 1L)));
            assertThat(sums).containsExactly(5L, 6L, 7L, 8L);
            List<Integer> slept = p.map(DelayedTest::slowSquare, List.of(3, 4));
            assertThat(slept).containsExactly(9, 16);
        }
    }
}
