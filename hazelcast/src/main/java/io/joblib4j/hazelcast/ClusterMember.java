package io.joblib4j.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.ServerSocket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A cluster member that runs joblib4j's batches: what {@code ./joblib4j worker} starts, and what
 * {@link HazelcastBackend#embedded(int)} starts in-process. It joins by TCP-IP (multicast off) and binds to
 * 127.0.0.1 unless told otherwise.
 */
public final class ClusterMember implements AutoCloseable {
    /** The cluster name when none is given. A cluster name is not a password. */
    public static final String DEFAULT_CLUSTER_NAME = "joblib4j";

    private final HazelcastInstance instance;
    private final String address;
    private final int slots;

    private ClusterMember(HazelcastInstance instance, String address, int slots) {
        this.instance = instance;
        this.address = address;
        this.slots = slots;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** This member's address, {@code host:port}. */
    public String address() {
        return address;
    }

    /** The batches this member runs at once. */
    public int slots() {
        return slots;
    }

    /** The cluster's name. */
    public String clusterName() {
        return instance.getConfig().getClusterName();
    }

    /** The number of members of the cluster now. */
    public int clusterSize() {
        return instance.getCluster().getMembers().size();
    }

    /** The Hazelcast member. */
    public HazelcastInstance instance() {
        return instance;
    }

    /** What this member has fetched and run: {arrays fetched, their bytes, batches run, arrays cached now}. */
    long[] stats() {
        return MemberRuntime.of(instance).stats();
    }

    /** The line the worker command logs once the member has joined. */
    public String joinedLine() {
        return "joined cluster " + clusterName() + " as " + address + ", " + clusterSize() + " members, " + slots
                + " slots";
    }

    /** Leaves the cluster and stops the member's task threads and worker processes. */
    @Override
    public void close() {
        MemberRuntime.shutdown(instance);
        instance.shutdown();
    }

    /** How to start a member. */
    public static final class Builder {
        private int port;
        private List<String> join = List.of();
        private int slots = io.joblib4j.Joblib.cpuCount();
        private List<Path> classPath = List.of();
        private String clusterName = DEFAULT_CLUSTER_NAME;
        private String bind = "127.0.0.1";
        private boolean isolateProcesses;

        private Builder() {}

        /** The port to listen on; 0 (the default) picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0 (any free port) or 1 to 65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** Members of the cluster to join ({@code host:port}); none starts a new cluster. */
        public Builder join(String... members) {
            List<String> out = new ArrayList<>();
            for (String m : members) {
                out.add(Configs.checkAddress(m.trim()));
            }
            this.join = List.copyOf(out);
            return this;
        }

        /** Batches run at once (default: the CPU count). */
        public Builder slots(int slots) {
            if (slots < 1) {
                throw new IllegalArgumentException("slots must be at least 1, got " + slots);
            }
            this.slots = slots;
            return this;
        }

        /** Jars and class folders with the application's classes (the tasks' classes must be on every member). */
        public Builder classPath(List<Path> entries) {
            for (Path p : entries) {
                if (!Files.exists(p)) {
                    throw new IllegalArgumentException("class path entry " + p + " does not exist");
                }
            }
            this.classPath = List.copyOf(entries);
            return this;
        }

        public Builder clusterName(String clusterName) {
            if (clusterName == null || clusterName.isBlank()) {
                throw new IllegalArgumentException("the cluster name must not be blank, got '" + clusterName + "'");
            }
            this.clusterName = clusterName;
            return this;
        }

        /** The address to bind to (default 127.0.0.1: only this machine can reach the member). */
        public Builder bind(String address) {
            if (address == null || address.isBlank()) {
                throw new IllegalArgumentException("the bind address must not be blank, got '" + address + "'");
            }
            this.bind = address;
            return this;
        }

        /** Run tasks in a local pool of worker JVMs (hard timeouts, crash isolation) instead of threads. */
        public Builder isolateProcesses(boolean isolate) {
            this.isolateProcesses = isolate;
            return this;
        }

        public ClusterMember start() {
            int p = port == 0 ? freePort(bind) : port;
            ClassLoader parent = ClusterMember.class.getClassLoader();
            ClassLoader loader = parent;
            String processClassPath = null;
            if (!classPath.isEmpty()) {
                URL[] urls = new URL[classPath.size()];
                for (int i = 0; i < urls.length; i++) {
                    try {
                        urls[i] = classPath.get(i).toUri().toURL();
                    } catch (MalformedURLException e) {
                        throw new IllegalArgumentException("class path entry " + classPath.get(i) + ": " + e, e);
                    }
                }
                loader = new URLClassLoader("joblib4j-application", urls, parent);
                List<String> entries = new ArrayList<>();
                entries.add(System.getProperty("java.class.path"));
                classPath.forEach(e -> entries.add(e.toAbsolutePath().toString()));
                processClassPath = String.join(File.pathSeparator, entries);
            }
            Config config = Configs.member(clusterName, bind, p, join, slots, loader);
            config.getUserContext()
                    .put(
                            MemberRuntime.SETTINGS_KEY,
                            new MemberRuntime.Settings(slots, loader, isolateProcesses, processClassPath));
            HazelcastInstance hz = Hazelcast.newHazelcastInstance(config);
            var a = hz.getCluster().getLocalMember().getAddress();
            return new ClusterMember(hz, a.getHost() + ":" + a.getPort(), slots);
        }

        private static int freePort(String bind) {
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName(bind))) {
                return s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("no free port on " + bind + ": " + e.getMessage(), e);
            }
        }
    }
}
