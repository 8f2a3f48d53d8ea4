package io.joblib4j.cli.demo;

import io.joblib4j.Joblib;
import io.joblib4j.hazelcast.HazelcastBackend;
import io.joblib4j.parallel.Parallel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The cluster backend's example: two members started as {@code ./joblib4j worker --slots 4} on 127.0.0.1 (JVMs of
 * their own), ten tasks that sleep 1 s each (about 2 s on 8 slots); then the same with one member killed with
 * {@code kill -9} half a second into the call: every result comes back, and the row says how long after the kill
 * the lost tasks were running again on the other member.
 */
public final class ClusterDemo implements DemoSection {
    private static final int SLOTS = 4;
    private static final int TASKS = 10;

    @Override
    public String title() {
        return "Cluster";
    }

    /** A task's report: its index, its attempt, when it started (epoch ms) and the member's PID. */
    public record Ran(int index, int attempt, long startedMillis, long pid) implements java.io.Serializable {}

    static Ran sleepOneSecond(int i) throws InterruptedException {
        long start = System.currentTimeMillis();
        Thread.sleep(1000);
        return new Ran(
                i, Joblib.currentAttempt(), start, ProcessHandle.current().pid());
    }

    @Override
    public void run(DemoReport report) throws Exception {
        report.section(title());
        String example = TASKS + " x 1 s sleeps, 2 members x " + SLOTS + " slots";
        String name = "joblib4j-demo-" + ProcessHandle.current().pid();
        List<MemberJvm> members = new ArrayList<>();
        try {
            members.add(MemberJvm.start(name, null, SLOTS, true));
            members.add(MemberJvm.start(name, members.getFirst().address(), SLOTS, true));
            try (HazelcastBackend cluster = HazelcastBackend.connect(HazelcastBackend.clientConfig(
                            name, members.get(0).address(), members.get(1).address()));
                    Parallel p = Parallel.builder()
                            .backend(cluster)
                            .nJobs(-1)
                            .batchSize(1)
                            .build()) {
                List<Integer> inputs = IntStream.range(0, TASKS).boxed().toList();
                p.map(i -> i, inputs); // warm-up: connections, class loading on the members
                var all = Step.run(System.out, example, null, () -> p.map(ClusterDemo::sleepOneSecond, inputs));
                report.row(
                        example,
                        "both members",
                        all.time(),
                        "every result: " + all.value().size());

                MemberJvm victim = members.get(1);
                long[] killedAt = new long[1];
                Thread killer = new Thread(() -> {
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                    killedAt[0] = System.currentTimeMillis();
                    victim.kill9();
                });
                killer.start();
                var hit = Step.run(
                        System.out,
                        example + ", kill -9 of one member after 0.5 s",
                        null,
                        () -> p.map(ClusterDemo::sleepOneSecond, inputs));
                killer.join();
                long rerunStart = hit.value().stream()
                        .filter(r -> r.attempt() > 1)
                        .mapToLong(Ran::startedMillis)
                        .min()
                        .orElse(killedAt[0]);
                long reruns = hit.value().stream().filter(r -> r.attempt() > 1).count();
                report.row(
                        example,
                        "one member killed mid-call",
                        hit.time(),
                        "every result: " + hit.value().size() + ", " + reruns + " re-run on the survivor, running "
                                + Duration.ofMillis(rerunStart - killedAt[0]).toMillis() + " ms after the kill");
            }
        } finally {
            members.forEach(MemberJvm::close);
        }
    }
}
