package io.joblib4j.hazelcast;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.ExecutorConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The Hazelcast configurations of joblib4j's members and clients. */
final class Configs {
    private Configs() {}

    /** Hazelcast logs through java.util.logging; its INFO lines (hundreds per start) are kept out of the way. */
    private static final Logger HAZELCAST_LOGGER = Logger.getLogger("com.hazelcast");

    static {
        if (HAZELCAST_LOGGER.getLevel() == null && System.getProperty("joblib4j.hazelcast.verboseLogs") == null) {
            HAZELCAST_LOGGER.setLevel(Level.WARNING);
        }
        CallbackThreads.install();
    }

    /**
     * Seconds without a heartbeat after which a member counts as lost (system property
     * {@code joblib4j.hazelcast.memberLossSeconds}, default 10). A member killed outright is usually noticed sooner:
     * its connections close.
     */
    static int memberLossSeconds() {
        return Integer.getInteger("joblib4j.hazelcast.memberLossSeconds", 10);
    }

    static Config member(String clusterName, String bind, int port, List<String> join, int slots, ClassLoader loader) {
        Config c = new Config();
        c.setClusterName(clusterName);
        c.setClassLoader(loader);
        c.setProperty("hazelcast.logging.type", "jdk");
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.shutdownhook.enabled", "false");
        c.setProperty("hazelcast.socket.bind.any", "false");
        int loss = memberLossSeconds();
        c.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        c.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(loss));
        c.setProperty("hazelcast.client.max.no.heartbeat.seconds", Integer.toString(loss));
        c.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
        c.setProperty("hazelcast.graceful.shutdown.max.wait", "20");
        lean(c);
        c.getSerializationConfig().setJavaSerializationFilterConfig(Security.hazelcastFilter());
        c.getMemberAttributeConfig().setAttribute(HazelcastBackend.SLOTS_ATTRIBUTE, Integer.toString(slots));
        c.addExecutorConfig(new ExecutorConfig(HazelcastBackend.EXECUTOR)
                .setPoolSize(slots + 4)
                .setStatisticsEnabled(false));
        c.addMapConfig(new MapConfig(ClusterWorkers.ARRAYS_MAP_PREFIX + "*")
                .setBackupCount(0)
                .setAsyncBackupCount(0)
                .setStatisticsEnabled(false));
        NetworkConfig net = c.getNetworkConfig();
        net.setPort(port).setPortAutoIncrement(false);
        net.getInterfaces().setEnabled(true).addInterface(bind);
        net.setPublicAddress(bind + ":" + port);
        JoinConfig j = net.getJoin();
        j.getMulticastConfig().setEnabled(false);
        j.getAutoDetectionConfig().setEnabled(false);
        j.getTcpIpConfig().setEnabled(true).setMembers(join.isEmpty() ? List.of(bind + ":" + port) : join);
        return c;
    }

    /**
     * Hazelcast's defaults suit a data grid: 271 partitions, metrics collected every 5 s, a health monitor, five
     * event threads. A joblib4j cluster keeps one small map (the published arrays of running calls)
     * and runs batches, so its members start with fewer partitions (less to migrate when a member joins), no metrics
     * or health monitor and fewer background threads: less CPU taken from the tasks when members share cores. Each
     * setting yields to a system property of the same name.
     */
    private static void lean(Config c) {
        setUnlessSystem(c, "hazelcast.partition.count", "31");
        setUnlessSystem(c, "hazelcast.event.thread.count", "1");
        setUnlessSystem(c, "hazelcast.health.monitoring.level", "OFF");
        setUnlessSystem(c, "hazelcast.partition.backup.sync.interval", "300");
        c.getMetricsConfig().setEnabled(false);
    }

    private static void setUnlessSystem(Config c, String property, String value) {
        if (System.getProperty(property) == null) {
            c.setProperty(property, value);
        }
    }

    static ClientConfig client(String clusterName, String... members) {
        if (members == null || members.length == 0) {
            throw new IllegalArgumentException("connect needs at least one member address (host:port), got none");
        }
        for (String m : members) {
            checkAddress(m);
        }
        ClientConfig c = new ClientConfig();
        c.setClusterName(clusterName);
        c.setProperty("hazelcast.logging.type", "jdk");
        c.setProperty("hazelcast.client.heartbeat.interval", "1000");
        c.setProperty("hazelcast.client.heartbeat.timeout", Integer.toString(memberLossSeconds() * 1000));
        c.setProperty("hazelcast.client.shuffle.member.list", "false");
        if (System.getProperty("hazelcast.client.event.thread.count") == null) {
            c.setProperty("hazelcast.client.event.thread.count", "1");
        }
        c.getMetricsConfig().setEnabled(false);
        c.getNetworkConfig().addAddress(members).setRedoOperation(false);
        c.getNetworkConfig()
                .getClusterRoutingConfig()
                .setRoutingMode(com.hazelcast.client.config.RoutingMode.ALL_MEMBERS);
        c.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(20_000);
        c.getConnectionStrategyConfig().getConnectionRetryConfig().setMaxBackoffMillis(1_000);
        c.getSerializationConfig().setJavaSerializationFilterConfig(Security.hazelcastFilter());
        return c;
    }

    static String checkAddress(String address) {
        int colon = address == null ? -1 : address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("a member address is host:port, got '" + address + "'");
        }
        try {
            int port = Integer.parseInt(address.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "a member address is host:port with a port from 1 to 65535, got '" + address + "'");
        }
        return address;
    }
}
