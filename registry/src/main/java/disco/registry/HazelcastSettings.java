package disco.registry;

import com.hazelcast.config.Config;
import com.hazelcast.config.DiscoveryStrategyConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;

/** The Hazelcast configuration every node uses: tcp-ip join on resolved addresses, fast failure detection. */
final class HazelcastSettings {

  /** Seconds; see the design section of the README for the measurements behind them. */
  static final int HEARTBEAT_INTERVAL = 1;
  static final int MAX_NO_HEARTBEAT = 3;
  static final int MERGE_DELAY = 10;

  private HazelcastSettings() {
  }

  static Config build(ClusterConfig cluster) {
    // Vert.x's own default config declares the __vertx.* maps its event bus needs
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(cluster.name());
    config.setLiteMember(cluster.lite());

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(true).setPortCount(100);
    network.getInterfaces().setEnabled(true).addInterface(cluster.host());
    network.setPublicAddress(cluster.host());

    // overlay networks carry no multicast, auto-detection would probe clouds, and a static tcp-ip
    // list would never see the members whose names resolve only later
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(false);
    join.getDiscoveryConfig().addDiscoveryStrategyConfig(
      new DiscoveryStrategyConfig(new DnsMemberDiscovery(cluster.members(), cluster.port())));
    config.setProperty("hazelcast.discovery.enabled", "true");

    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    config.setProperty("hazelcast.heartbeat.failuredetector.type", "deadline");
    config.setProperty("hazelcast.heartbeat.interval.seconds", String.valueOf(HEARTBEAT_INTERVAL));
    config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(MAX_NO_HEARTBEAT));
    config.setProperty("hazelcast.merge.first.run.delay.seconds", String.valueOf(MERGE_DELAY));
    config.setProperty("hazelcast.merge.next.run.delay.seconds", String.valueOf(MERGE_DELAY));
    config.setProperty("hazelcast.graceful.shutdown.max.wait", "15");
    return config;
  }
}
