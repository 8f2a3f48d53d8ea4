package io.joblib4j.bench.cluster;

import io.joblib4j.hazelcast.ClusterMember;
import java.util.concurrent.CountDownLatch;

/**
 * A cluster member for the benchmarks, in a JVM of its own: {@code MemberMain NAME PORT SLOTS [JOIN]}. It does what
 * {@code ./joblib4j worker --cluster-name NAME --port PORT --slots SLOTS --join JOIN} does (the bench module does not
 * depend on the command line), prints the same "joined cluster" line and runs until it is killed.
 */
public final class MemberMain {
    private MemberMain() {}

    public static void main(String[] args) throws InterruptedException {
        ClusterMember.Builder b = ClusterMember.builder()
                .clusterName(args[0])
                .port(Integer.parseInt(args[1]))
                .slots(Integer.parseInt(args[2]));
        if (args.length > 3) {
            b.join(args[3].split(","));
        }
        ClusterMember member = b.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            member.close();
            stopped.countDown();
        }));
        System.out.println(member.joinedLine());
        System.out.flush();
        stopped.await();
    }
}
