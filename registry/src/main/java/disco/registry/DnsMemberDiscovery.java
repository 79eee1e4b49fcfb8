package disco.registry;

import disco.registry.config.ClusterConfig;
import com.hazelcast.cluster.Address;
import com.hazelcast.config.properties.PropertyDefinition;
import com.hazelcast.logging.ILogger;
import com.hazelcast.spi.discovery.AbstractDiscoveryStrategy;
import com.hazelcast.spi.discovery.DiscoveryNode;
import com.hazelcast.spi.discovery.DiscoveryStrategy;
import com.hazelcast.spi.discovery.DiscoveryStrategyFactory;
import com.hazelcast.spi.discovery.SimpleDiscoveryNode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Hazelcast discovery that resolves the CLUSTER_MEMBERS names each time Hazelcast looks for members
 * (to join, and to look for other clusters to merge with): a member whose name resolves only later,
 * such as a swarm task once it is healthy, is still found.
 */
final class DnsMemberDiscovery implements DiscoveryStrategyFactory {

  /** Nodes sharing loopback take ports from the cluster port up: look this far. */
  static final int LOOPBACK_PORTS = 10;

  private final List<ClusterConfig.MemberEntry> members;
  private final int clusterPort;
  private final MembershipHistory history;

  DnsMemberDiscovery(List<ClusterConfig.MemberEntry> members, int clusterPort, MembershipHistory history) {
    this.members = List.copyOf(members);
    this.clusterPort = clusterPort;
    this.history = history;
  }

  /**
   * Every address to try now: one per resolved address, or a port range on loopback when no port
   * was given; not the addresses of members this cluster just lost ({@link MembershipHistory}).
   */
  List<Address> addresses() {
    List<Address> addresses = new ArrayList<>();
    for (ClusterConfig.MemberEntry member : members) {
      for (InetAddress address : member.addresses()) {
        int first = member.port() == 0 ? clusterPort : member.port();
        int count = member.port() == 0 && address.isLoopbackAddress() ? LOOPBACK_PORTS : 1;
        for (int port = first; port < first + count && port <= 65535; port++) {
          if (!history.quarantined(new InetSocketAddress(address, port))) {
            addresses.add(new Address(address, port));
          }
        }
      }
    }
    return addresses;
  }

  @Override
  public Class<? extends DiscoveryStrategy> getDiscoveryStrategyType() {
    return Strategy.class;
  }

  @Override
  public DiscoveryStrategy newDiscoveryStrategy(DiscoveryNode self, ILogger logger, Map<String, Comparable> properties) {
    return new Strategy(this, logger, properties);
  }

  @Override
  public Collection<PropertyDefinition> getConfigurationProperties() {
    return List.of();
  }

  static final class Strategy extends AbstractDiscoveryStrategy {

    private final DnsMemberDiscovery discovery;

    Strategy(DnsMemberDiscovery discovery, ILogger logger, Map<String, Comparable> properties) {
      super(logger, properties);
      this.discovery = discovery;
    }

    @Override
    public Iterable<DiscoveryNode> discoverNodes() {
      List<DiscoveryNode> nodes = new ArrayList<>();
      discovery.addresses().forEach(address -> nodes.add(new SimpleDiscoveryNode(address)));
      return nodes;
    }
  }
}
