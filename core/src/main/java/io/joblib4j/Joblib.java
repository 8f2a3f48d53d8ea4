package io.joblib4j;

import io.joblib4j.internal.ConfigFrame;
import io.joblib4j.internal.CpuCount;
import io.joblib4j.internal.NJobs;

/**
 * The front door to joblib4j's functions, named as in Python's joblib: {@code delayed}, {@code cpuCount},
 * {@code effectiveNJobs}.
 *
 * <pre>{@code
 * List<Double> roots = Parallel.of(2).run(IntStream.range(0, 10).mapToObj(i -> delayed(Math::sqrt, (double) i * i)));
 * }</pre>
 */
public final class Joblib {
    private Joblib() {}

    // ---- Parallel ---------------------------------------------------------------------------------------------

    /**
     * A call of {@code f(arg)}, to be run later by {@link io.joblib4j.parallel.Parallel}: joblib's
     * {@code delayed(f)(arg)}.
     *
     * @throws NullPointerException if {@code f} is null
     */
    public static <T, R> Delayed<R> delayed(SerializableFunction<T, R> f, T arg) {
        return Delayed.of(f, arg);
    }

    /**
     * A call of {@code f(a, b)}, to be run later by {@link io.joblib4j.parallel.Parallel}.
     *
     * @throws NullPointerException if {@code f} is null
     */
    public static <A, B, R> Delayed<R> delayed(SerializableBiFunction<A, B, R> f, A a, B b) {
        return Delayed.of(f, a, b);
    }

    /**
     * The number of CPUs this JVM may use: the smallest of the JVM's count, the CPU affinity mask, the cgroup CPU
     * quota and the {@code JOBLIB4J_CPU_COUNT} environment variable; at least 1.
     */
    public static int cpuCount() {
        return CpuCount.get();
    }

    /**
     * The number of workers a {@code Parallel} with this {@code nJobs} uses: {@code nJobs} itself when positive,
     * {@code max(cpuCount() + 1 + nJobs, 1)} when negative ({@code -1} = all CPUs, {@code -2} = all but one).
     *
     * @throws IllegalArgumentException for 0
     */
    public static int effectiveNJobs(int nJobs) {
        return NJobs.resolve(nJobs, null, cpuCount());
    }

    /**
     * The number of workers a {@code Parallel} that sets no {@code nJobs} uses here: the active
     * {@link io.joblib4j.parallel.ParallelConfig}'s, else 1.
     */
    public static int effectiveNJobs() {
        return NJobs.resolve(null, ConfigFrame.current().nJobs(), cpuCount());
    }
}
