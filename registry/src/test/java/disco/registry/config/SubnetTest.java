package disco.registry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class SubnetTest {

  private static final String EXPECTED = "a network";

  private static Subnet subnet(String cidr) {
    return Subnet.parse("CLUSTER_HOST", cidr, EXPECTED);
  }

  private static String text(InetAddress address) {
    return address.getHostAddress();
  }

  @Test
  void a_small_network_lists_its_hosts_without_its_network_and_broadcast_addresses() throws Exception {
    assertThat(subnet("10.118.0.0/30").hosts()).map(SubnetTest::text).containsExactly("10.118.0.1", "10.118.0.2");
    assertThat(subnet("10.118.0.77/24").hosts()).hasSize(254).map(SubnetTest::text)
      .startsWith("10.118.0.1").endsWith("10.118.0.254");
    assertThat(subnet("10.0.0.0/22").hosts()).hasSize(1022);
    assertThat(subnet("10.118.0.0/24").contains(InetAddress.getByName("10.118.0.9"))).isTrue();
    assertThat(subnet("10.118.0.0/24").contains(InetAddress.getByName("10.118.1.9"))).isFalse();
  }

  @Test
  void a_network_too_large_or_of_ipv6_is_not_looked_through() {
    assertThat(subnet("10.0.0.0/16").hosts()).isEmpty();
    assertThat(subnet("10.0.0.0/21").hosts()).isEmpty();
    assertThat(subnet("fd00::/120").hosts()).isEmpty();
  }

  @Test
  void what_is_not_a_network_is_named_in_one_line() {
    for (String bad : new String[] {"10.0.0.0/33", "10.0.0.0/", "/24", "10.0.0.0/x", "10.0.0.0/-1", "10.0.0.0"}) {
      assertThatThrownBy(() -> subnet(bad)).isInstanceOf(ConfigException.class)
        .hasMessage("CLUSTER_HOST=" + bad + " is invalid: expected " + EXPECTED);
    }
  }
}
