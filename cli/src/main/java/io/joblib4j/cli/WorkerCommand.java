package io.joblib4j.cli;

import io.joblib4j.hazelcast.ClusterMember;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./joblib4j worker}: starts a cluster member that runs the batches of {@code Parallel} calls made with the
 * {@code hazelcast} backend, until SIGTERM or SIGINT.
 */
@Command(
        name = "worker",
        mixinStandardHelpOptions = true,
        description = {
            "Start a cluster member that runs Parallel tasks (backend \"hazelcast\"); stops on SIGTERM/SIGINT.",
            "The cluster is a trusted network: the community edition has no TLS or authentication, and a cluster "
                    + "name is not a password. Binds to 127.0.0.1 unless --bind says otherwise."
        })
final class WorkerCommand implements Callable<Integer> {
    @Option(
            names = "--port",
            paramLabel = "P",
            description = "port to listen on (default ${DEFAULT-VALUE}; 0 picks a free one)",
            defaultValue = "5701")
    int port;

    @Option(
            names = "--join",
            paramLabel = "host:port[,host:port...]",
            split = ",",
            description = "members of the cluster to join (none: start a new cluster)")
    List<String> join = new ArrayList<>();

    @Option(names = "--slots", paramLabel = "N", description = "batches run at once (default: the CPU count)")
    Integer slots;

    @Option(
            names = "--classpath",
            paramLabel = "PATH",
            description = "the application's jars and class folders, separated by ':' (';' on Windows); the "
                    + "tasks' classes must be on every member")
    String classPath;

    @Option(
            names = "--cluster-name",
            paramLabel = "NAME",
            description = "the cluster's name (default ${DEFAULT-VALUE}); not a password",
            defaultValue = ClusterMember.DEFAULT_CLUSTER_NAME)
    String clusterName;

    @Option(
            names = "--bind",
            paramLabel = "ADDRESS",
            description = "address to bind to (default ${DEFAULT-VALUE}: reachable from this machine only)",
            defaultValue = "127.0.0.1")
    String bind;

    @Option(
            names = "--isolate",
            paramLabel = "MODE",
            description = "'processes': run tasks in a local pool of worker JVMs (hard timeouts, crash isolation) "
                    + "instead of threads")
    String isolate;

    @Override
    public Integer call() {
        if (isolate != null && !isolate.equals("processes")) {
            System.err.println("worker: --isolate takes 'processes', got '" + isolate + "'");
            return 2;
        }
        ClusterMember.Builder builder;
        try {
            builder = ClusterMember.builder()
                    .port(port)
                    .join(join.toArray(String[]::new))
                    .clusterName(clusterName)
                    .bind(bind)
                    .isolateProcesses(isolate != null);
            if (slots != null) {
                builder.slots(slots);
            }
            if (classPath != null && !classPath.isBlank()) {
                List<Path> entries = new ArrayList<>();
                for (String e : classPath.split(File.pathSeparator, -1)) {
                    if (!e.isBlank()) {
                        entries.add(Path.of(e));
                    }
                }
                builder.classPath(entries);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("worker: " + e.getMessage());
            return 2;
        }
        ClusterMember member;
        try {
            member = builder.start();
        } catch (RuntimeException e) {
            System.err.println("worker: could not start the member: " + e);
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(
                () -> {
                    String name = member.clusterName();
                    String address = member.address();
                    try {
                        member.close();
                    } catch (RuntimeException e) {
                        System.err.println("worker: while leaving the cluster: " + e);
                    } finally {
                        System.out.println("left cluster " + name + " as " + address);
                        System.out.flush();
                        stopped.countDown();
                    }
                },
                "joblib4j-worker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.println(member.joinedLine());
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
