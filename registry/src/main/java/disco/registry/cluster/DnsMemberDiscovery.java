package disco.registry.cluster;

import disco.registry.config.ClusterConfig;
import disco.registry.config.Subnet;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hazelcast discovery that resolves the CLUSTER_MEMBERS names each time Hazelcast looks for members
 * (to join, and to look for other clusters to merge with): a member whose name resolves only later,
 * such as a swarm task once it is healthy, is still found. While no name resolves at all, it looks
 * through the cluster's network (CLUSTER_HOST given as CIDR) for members already listening: a swarm
 * lists a task only once it is healthy, and a task is healthy only once it has joined, so without
 * this every task of a fresh stack would start a cluster of its own and the clusters would then
 * merge in a cascade, one split-brain check at a time.
 */
final class DnsMemberDiscovery implements DiscoveryStrategyFactory {

  private static final Logger LOG = LoggerFactory.getLogger(DnsMemberDiscovery.class);
  /**
   * Nodes sharing loopback take ports from the cluster port up: look this far. {@code ./disco up 20}
   * runs 22 members; 32 leaves room for {@code ./disco add}. A loopback port nobody listens on
   * refuses at once; a member beyond the window is found only by members it names itself, so a
   * split among such members would not heal.
   */
  static final int LOOPBACK_PORTS = 32;
  /** A peer on the same network accepts within a millisecond or two; a missing host never does. */
  static final long PROBE_TIMEOUT_MS = 150;

  private final List<ClusterConfig.MemberEntry> members;
  private final int clusterPort;
  private final List<InetSocketAddress> networkPeers;
  private final MembershipHistory history;
  private volatile List<InetSocketAddress> lastFoundListening = List.of();

  /** {@code networkPeers}: where a member could listen on the cluster's network, this one's own excepted; or none. */
  DnsMemberDiscovery(List<ClusterConfig.MemberEntry> members, int clusterPort, List<InetSocketAddress> networkPeers,
                     MembershipHistory history) {
    this.members = List.copyOf(members);
    this.clusterPort = clusterPort;
    this.networkPeers = List.copyOf(networkPeers);
    this.history = history;
  }

  static DnsMemberDiscovery of(ClusterConfig cluster, MembershipHistory history) {
    List<InetSocketAddress> peers = cluster.network().map(Subnet::hosts).orElse(List.of()).stream()
      .filter(host -> !host.getHostAddress().equals(cluster.host()))
      .map(host -> new InetSocketAddress(host, cluster.port()))
      .toList();
    if (cluster.network().isPresent() && peers.isEmpty()) {
      LOG.info("CLUSTER_HOST {} is larger than a /{}: a member of a fresh stack waits for the members' names to "
        + "resolve instead of looking through it", cluster.network().get(), Subnet.SMALLEST_SCANNED_PREFIX);
    }
    return new DnsMemberDiscovery(cluster.members(), cluster.port(), peers, history);
  }

  /**
   * Every address to try now: one per resolved address, or a port range on loopback when no port
   * was given; when no name resolves, the members listening on the cluster's network; never the
   * addresses of members this cluster just lost ({@link MembershipHistory}).
   */
  List<Address> addresses() {
    List<InetSocketAddress> candidates = new ArrayList<>();
    for (ClusterConfig.MemberEntry member : members) {
      for (InetAddress address : member.addresses()) {
        int first = member.port() == 0 ? clusterPort : member.port();
        int count = member.port() == 0 && address.isLoopbackAddress() ? LOOPBACK_PORTS : 1;
        for (int port = first; port < first + count && port <= 65535; port++) {
          candidates.add(new InetSocketAddress(address, port));
        }
      }
    }
    if (candidates.isEmpty()) {
      candidates = listeningOnNetwork();
    }
    return candidates.stream()
      .filter(address -> !history.quarantined(address))
      .map(address -> new Address(address.getAddress(), address.getPort()))
      .toList();
  }

  /**
   * Whether no member name resolves while the cluster's network can be looked through: a fresh
   * stack, whose tasks start together and are all missing from DNS until they have joined.
   */
  boolean freshStack() {
    return !networkPeers.isEmpty() && members.stream().allMatch(member -> member.addresses().isEmpty());
  }

  private List<InetSocketAddress> listeningOnNetwork() {
    List<InetSocketAddress> listening = PortProbe.accepting(networkPeers, PROBE_TIMEOUT_MS);
    if (!listening.equals(lastFoundListening)) {
      lastFoundListening = listening;
      LOG.info("No member name resolves yet; listening on the cluster's network: {}", listening);
    }
    return listening;
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
