package disco.registry;

import static org.assertj.core.api.Assertions.assertThat;

import disco.registry.config.ClusterConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class DnsMemberDiscoveryTest {

  private static List<String> candidates(String members, int clusterPort) {
    return new DnsMemberDiscovery(ClusterConfig.parseMembers(members), clusterPort, new MembershipHistory()).addresses().stream()
      .map(address -> address.getHost() + ":" + address.getPort()).toList();
  }

  @Test
  void member_name_resolves_to_every_address_each_time_hazelcast_asks() {
    assertThat(candidates("localhost:5710", 5701)).contains("127.0.0.1:5710").noneMatch(a -> a.contains("localhost"));
    // several nodes share loopback: without a port, the ten ports from the cluster port up
    assertThat(candidates("127.0.0.2", 5701)).hasSize(DnsMemberDiscovery.LOOPBACK_PORTS)
      .startsWith("127.0.0.2:5701").endsWith("127.0.0.2:5710");
  }

  @Test
  void remote_member_without_port_is_tried_on_the_cluster_port_only() {
    assertThat(candidates("10.0.0.7", 5801)).containsExactly("10.0.0.7:5801");
    assertThat(candidates("10.0.0.7:6000", 5801)).containsExactly("10.0.0.7:6000");
    assertThat(candidates("no-such-host.invalid", 5801)).isEmpty();
  }
}
