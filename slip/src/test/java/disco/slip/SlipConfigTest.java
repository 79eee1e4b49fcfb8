package disco.slip;

import static disco.registry.SettingsTable.invalid;
import static disco.registry.SettingsTable.ok;
import static disco.registry.TestCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import disco.registry.ClusterNode;
import disco.registry.ServiceEndpoint;
import disco.registry.records.ServiceIdentity;
import disco.registry.ServiceSettings;
import disco.registry.SettingsTable;
import disco.registry.TestCluster;
import disco.registry.config.Env;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.core.buffer.Buffer;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(60)
class SlipConfigTest {

  /** Slip's own variables at the edges of their range; with the common ones, every variable slip reads. */
  static Stream<SettingsTable.Setting> settings() {
    return Stream.concat(Stream.of(
      ok("HTTP_PORT", "0"), ok("HTTP_PORT", "65535"), invalid("HTTP_PORT", "-1"), invalid("HTTP_PORT", "65536"),
      invalid("HTTP_PORT", "80a"),
      ok("SLIP_DELAY_MS", "0"), ok("SLIP_DELAY_MS", "60000"), invalid("SLIP_DELAY_MS", "-1"),
      invalid("SLIP_DELAY_MS", "60001"), invalid("SLIP_DELAY_MS", "abc"),
      ok("SLIP_FAULT", "none"), ok("SLIP_FAULT", "unready"), invalid("SLIP_FAULT", "crash")), SettingsTable.common());
  }

  @Test
  void defaults_are_port_8080_and_100_ms() {
    assertThat(SlipConfig.fromEnv(new Env(Map.of()))).isEqualTo(new SlipConfig(8080, 100, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("settings")
  void each_setting_is_taken_or_refused_with_one_line(SettingsTable.Setting setting) {
    setting.check(env -> ServiceSettings.fromEnv("slip", env, SlipConfig::fromEnv));
  }

  /** The low edge of the delay's range: no delay at all, where a timer would refuse to be set. */
  @Test
  void a_zero_delay_answers_at_once() {
    try (TestCluster cluster = new TestCluster()) {
      ClusterNode node = cluster.join();
      ServiceEndpoint endpoint = new ServiceEndpoint(node, new ServiceIdentity("slip", "instant", "test", 1L), "127.0.0.1");
      await(node.startBus());
    await(node.vertx().deployVerticle(new SlipVerticle(new SlipConfig(0, 0, false), endpoint, node.bus(), node.metrics().registry())));
      // held until closed: Vert.x closes a client the GC finds unreferenced, requests under way too
      WebClient client = WebClient.create(node.vertx());
      HttpResponse<Buffer> answer = await(client.get(endpoint.port(), "127.0.0.1", "/").send());
      client.close();
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(answer.bodyAsString()).isEqualTo("instant");
    }
  }
}
