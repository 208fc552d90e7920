package dev.trcr.kernel;

import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Hazelcast for the clustered event bus only: TCP-IP join with the listed members, multicast and auto-detection off,
 * bound to {@code TRCR_CLUSTER_HOST}. Hazelcast never holds authoritative state; PostgreSQL does.
 */
public final class Cluster {

  private Cluster() {
  }

  public static HazelcastClusterManager manager(JsonObject config) {
    String host = Config.string(config, "TRCR_CLUSTER_HOST");
    int port = Config.integer(config, "TRCR_CLUSTER_PORT");
    com.hazelcast.config.Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(Config.string(config, "TRCR_CLUSTER_NAME"));
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.logging.type", "jdk");
    hz.setProperty("hazelcast.local.localAddress", host);
    hz.setProperty("hazelcast.shutdownhook.enabled", "false");
    // A member that stops answering (kill -9, a lost host) is removed after this long, and with it its event-bus
    // registrations, so that commands go to the surviving instances. Hazelcast's default is 60 s.
    hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hz.setProperty("hazelcast.max.no.heartbeat.seconds",
        Integer.toString(Config.integer(config, "TRCR_CLUSTER_FAILURE_TIMEOUT_SECONDS")));

    NetworkConfig network = hz.getNetworkConfig();
    network.setPort(port).setPortAutoIncrement(false).setPublicAddress(host + ":" + port);
    network.getInterfaces().setEnabled(false);
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(
        Config.list(config, "TRCR_CLUSTER_MEMBERS").stream()
            .map(m -> m.contains(":") ? m : m + ":" + port)
            .toList());
    return new HazelcastClusterManager(hz);
  }
}
