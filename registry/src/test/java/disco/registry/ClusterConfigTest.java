package disco.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    assertThat(config.members()).extracting(member -> member.toHazelcast(5701)).containsExactly("127.0.0.1");
    assertThat(config.lite()).isFalse();
  }

  @Test
  void member_name_resolves_to_every_address_as_ip_literals() {
    ClusterConfig config = config(Map.of("CLUSTER_MEMBERS", "localhost:5710, 127.0.0.2"));
    assertThat(config.members()).extracting(member -> member.toHazelcast(5701))
      .contains("127.0.0.1:5710", "127.0.0.2")
      .noneMatch(member -> member.contains("localhost"));
  }

  @Test
  void remote_member_without_port_is_tried_on_the_cluster_port_only() {
    ClusterConfig.Member remote = ClusterConfig.resolveMembers("10.0.0.7").get(0);
    assertThat(remote.toHazelcast(5801)).isEqualTo("10.0.0.7:5801");
    assertThat(ClusterConfig.resolveMembers("10.0.0.7:6000").get(0).toHazelcast(5801)).isEqualTo("10.0.0.7:6000");
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

  @Test
  void cluster_host_must_be_an_address_of_this_machine() {
    assertThat(config(Map.of("CLUSTER_HOST", "127.0.0.1")).host()).isEqualTo("127.0.0.1");
    // TEST-NET-1 (RFC 5737): never assigned to a machine, so never local
    assertThatThrownBy(() -> config(Map.of("CLUSTER_HOST", "192.0.2.1")))
      .hasMessage("CLUSTER_HOST=192.0.2.1 is invalid: expected an address of this machine");
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
