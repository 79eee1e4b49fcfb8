package disco.registry.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.cluster.Address;
import disco.registry.config.ClusterConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

class DnsMemberDiscoveryTest {

  private static List<String> candidates(String members, int clusterPort) {
    return new DnsMemberDiscovery(ClusterConfig.parseMembers(members), clusterPort, List.of(), new MembershipHistory()).addresses().stream()
      .map(address -> address.getHost() + ":" + address.getPort()).toList();
  }

  @Test
  void member_name_resolves_to_every_address_each_time_hazelcast_asks() {
    assertThat(candidates("localhost:5710", 5701)).contains("127.0.0.1:5710").noneMatch(a -> a.contains("localhost"));
    // several nodes share loopback: without a port, the ports from the cluster port up, enough for
    // ./disco up 20's 22 members and more
    assertThat(candidates("127.0.0.2", 5701)).hasSize(DnsMemberDiscovery.LOOPBACK_PORTS)
      .startsWith("127.0.0.2:5701").endsWith("127.0.0.2:5732");
  }

  @Test
  void remote_member_without_port_is_tried_on_the_cluster_port_only() {
    assertThat(candidates("10.0.0.7", 5801)).containsExactly("10.0.0.7:5801");
    assertThat(candidates("10.0.0.7:6000", 5801)).containsExactly("10.0.0.7:6000");
    assertThat(candidates("no-such-host.invalid", 5801)).isEmpty();
  }

  @Test
  void while_no_name_resolves_the_members_listening_on_the_network_are_found() throws Exception {
    try (ServerSocket member = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.7"))) {
      int port = member.getLocalPort();
      List<InetSocketAddress> network = List.of(new InetSocketAddress("127.0.0.6", port), new InetSocketAddress("127.0.0.7", port));
      DnsMemberDiscovery fresh = new DnsMemberDiscovery(ClusterConfig.parseMembers("no-such-host.invalid"), port,
        network, new MembershipHistory());
      assertThat(fresh.addresses()).map(Address::toString).containsExactly("[127.0.0.7]:" + port);

      // once a name resolves, the names alone say who the members are
      DnsMemberDiscovery named = new DnsMemberDiscovery(ClusterConfig.parseMembers("127.0.0.9:6000"), port,
        network, new MembershipHistory());
      assertThat(named.addresses()).map(Address::toString).containsExactly("[127.0.0.9]:6000");

      // the first join looks longer on a fresh stack only (ProbingJoiner)
      assertThat(fresh.freshStack()).isTrue();
      assertThat(named.freshStack()).isFalse();
      assertThat(new DnsMemberDiscovery(ClusterConfig.parseMembers("no-such-host.invalid"), port, List.of(),
        new MembershipHistory()).freshStack()).isFalse();
    }
  }
}
