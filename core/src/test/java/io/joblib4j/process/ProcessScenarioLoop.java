package io.joblib4j.process;

import io.joblib4j.backend.Backend;
import io.joblib4j.parallel.Parallel;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Runs the process scenarios of the benchmark (a cold pool of 2 workers, small calls on the warm shared pool, tiny
 * tasks with auto batching) in a loop, with a stall watchdog that dumps the threads of this JVM and the workers:
 * {@code java -cp <test class path> io.joblib4j.process.ProcessScenarioLoop [rounds] [stall-seconds]}. Exits 1 on a
 * stall.
 */
public final class ProcessScenarioLoop {
    private ProcessScenarioLoop() {}

    static int square(int x) {
        return x * x;
    }

    static int identity(int x) {
        return x;
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int stall = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        ProcessPool[] cold = new ProcessPool[1];
        try (StallWatchdog dog = new StallWatchdog(
                "scenarios",
                Duration.ofSeconds(stall),
                () -> {
                    List<Long> pids =
                            new java.util.ArrayList<>(ProcessPool.shared().workerPids());
                    ProcessPool c = cold[0];
                    if (c != null) {
                        pids.addAll(c.workerPids());
                    }
                    return pids;
                },
                () -> {
                    System.out.println("STALL: thread dumps above");
                    System.out.flush();
                    Runtime.getRuntime().halt(1);
                })) {
            for (int round = 0; round < rounds && dog.stalled() == null; round++) {
                long start = System.nanoTime();
                try (ProcessPool pool = ProcessPool.builder().build()) {
                    cold[0] = pool;
                    try (Parallel p = Parallel.builder()
                                    .nJobs(2)
                                    .backend(pool.backend())
                                    .build();
                            Stream<Integer> s = p.stream(
                                    ProcessScenarioLoop::square,
                                    IntStream.range(0, 100).boxed().toList())) {
                        Iterator<Integer> it = s.iterator();
                        while (it.hasNext()) {
                            it.next();
                            dog.progress();
                        }
                    }
                }
                cold[0] = null;
                Backend processes = Backend.named("processes");
                for (int i = 0; i < 100; i++) {
                    Parallel.builder()
                            .nJobs(2)
                            .backend(processes)
                            .build()
                            .map(ProcessScenarioLoop::square, List.of(1, 2, 3, 4));
                    dog.progress();
                }
                try (Parallel p = Parallel.builder().nJobs(2).backend(processes).build()) {
                    List<Integer> input = IntStream.range(0, 200_000).boxed().toList();
                    for (int k = 0; k < 3; k++) {
                        if (p.map(ProcessScenarioLoop::identity, input).size() != input.size()) {
                            throw new IllegalStateException("lost results");
                        }
                        dog.progress();
                    }
                }
                System.out.printf("round %d: %.1f s%n", round, (System.nanoTime() - start) / 1e9);
            }
            if (dog.stalled() != null) {
                System.out.println("STALL, dumps in " + dog.stalled());
                System.exit(1);
            }
        }
        System.exit(0);
    }
}
