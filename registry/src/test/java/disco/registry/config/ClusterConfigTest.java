package disco.registry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterConfigTest {

  private static ClusterConfig config(Map<String, String> env) {
    return ClusterConfig.fromEnv(new Env(env));
  }

  @Test
  void defaults_join_on_loopback() {
    ClusterConfig config = config(Map.of());
    assertThat(config.name()).isEqualTo("disco");
    assertThat(config.port()).isEqualTo(5701);
    assertThat(config.host()).isEqualTo("127.0.0.1");
    assertThat(config.members()).containsExactly(new ClusterConfig.MemberEntry("127.0.0.1", 0));
    assertThat(config.lite()).isFalse();
  }

  /** A swarm lists tasks under tasks.slip only once healthy: on a fresh stack nothing resolves yet. */
  @Test
  void optional_members_may_not_resolve_yet_when_the_host_is_given() {
    Map<String, String> env = Map.of("CLUSTER_MEMBERS", "no-such-host.invalid", "CLUSTER_MEMBERS_OPTIONAL", "true");
    assertThatThrownBy(() -> config(env)).hasMessageStartingWith("CLUSTER_HOST is unset and no CLUSTER_MEMBERS name resolves yet");
    Map<String, String> withHost = new java.util.HashMap<>(env);
    withHost.put("CLUSTER_HOST", "127.0.0.0/8");
    assertThat(config(withHost).host()).isEqualTo("127.0.0.1");
  }

  @Test
  void cluster_host_as_a_network_picks_this_machine_s_address_in_it_and_keeps_the_network() throws Exception {
    ClusterConfig inNetwork = config(Map.of("CLUSTER_HOST", "127.0.0.0/8"));
    assertThat(inNetwork.host()).isEqualTo("127.0.0.1");
    assertThat(inNetwork.network()).map(Subnet::toString).contains("127.0.0.0/8");
    assertThat(config(Map.of("CLUSTER_HOST", "127.0.0.1")).network()).isEmpty();
    String foreignNetwork = foreignAddress() + "/32";
    assertThatThrownBy(() -> config(Map.of("CLUSTER_HOST", foreignNetwork)))
      .hasMessageStartingWith("CLUSTER_HOST=" + foreignNetwork + " is invalid: expected an address of this machine, or a network");
    assertThatThrownBy(() -> config(Map.of("CLUSTER_HOST", "10.0.0.0/99"))).hasMessageStartingWith("CLUSTER_HOST=10.0.0.0/99 is invalid");
  }

  @Test
  void unresolvable_member_is_rejected_naming_the_variable_and_the_name() {
    assertThatThrownBy(() -> config(Map.of("CLUSTER_MEMBERS", "no-such-host.invalid")))
      .isInstanceOf(ConfigException.class)
      .hasMessageContaining("CLUSTER_MEMBERS")
      .hasMessageContaining("no-such-host.invalid")
      .hasMessageNotContaining("\n");
  }

  @Test
  void member_with_bad_port_is_rejected() {
    assertThatThrownBy(() -> config(Map.of("CLUSTER_MEMBERS", "127.0.0.1:http")))
      .hasMessageStartingWith("CLUSTER_MEMBERS=127.0.0.1:http is invalid");
    assertThatThrownBy(() -> config(Map.of("CLUSTER_MEMBERS", "127.0.0.1:70000")))
      .hasMessageContaining("port from 1 to 65535");
    assertThatThrownBy(() -> config(Map.of("CLUSTER_MEMBERS", "127.0.0.1,,")))
      .hasMessageStartingWith("CLUSTER_MEMBERS=");
  }

  @Test
  void cluster_port_must_be_a_port_number() {
    assertThatThrownBy(() -> config(Map.of("CLUSTER_PORT", "-1")))
      .hasMessage("CLUSTER_PORT=-1 is invalid: expected an integer from 1 to 65535");
    assertThatThrownBy(() -> config(Map.of("CLUSTER_PORT", "abc")))
      .hasMessage("CLUSTER_PORT=abc is invalid: expected an integer from 1 to 65535");
  }

  /** A documentation address (RFC 5737) that this machine does not have: some machines do use these. */
  private static String foreignAddress() throws Exception {
    for (String candidate : List.of("203.0.113.1", "198.51.100.1", "192.0.2.1")) {
      if (java.net.NetworkInterface.getByInetAddress(java.net.InetAddress.getByName(candidate)) == null) {
        return candidate;
      }
    }
    throw new AssertionError("every documentation address is local here");
  }

  @Test
  void cluster_host_must_be_an_address_of_this_machine() throws Exception {
    assertThat(config(Map.of("CLUSTER_HOST", "127.0.0.1")).host()).isEqualTo("127.0.0.1");
    String foreign = foreignAddress();
    assertThatThrownBy(() -> config(Map.of("CLUSTER_HOST", foreign)))
      .hasMessage("CLUSTER_HOST=" + foreign + " is invalid: expected an address of this machine");
  }

  @Test
  void cluster_name_and_lite_flag_are_validated() {
    assertThatThrownBy(() -> config(Map.of("CLUSTER_NAME", "a b")))
      .hasMessageStartingWith("CLUSTER_NAME=a b is invalid");
    assertThatThrownBy(() -> config(Map.of("CLUSTER_LITE", "yes")))
      .hasMessage("CLUSTER_LITE=yes is invalid: expected true or false");
    assertThat(config(Map.of("CLUSTER_LITE", "true")).lite()).isTrue();
  }
}
