package disco.poule;

import static disco.registry.SettingsTable.invalid;
import static disco.registry.SettingsTable.ok;
import static org.assertj.core.api.Assertions.assertThat;

import disco.registry.ServiceSettings;
import disco.registry.SettingsTable;
import disco.registry.config.Env;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PouleConfigTest {

  /** Poule's own variables at the edges of their range; with the common ones, every variable poule reads. */
  static Stream<SettingsTable.Setting> settings() {
    return Stream.concat(Stream.of(
      ok("HTTP_PORT", "0"), ok("HTTP_PORT", "65535"), invalid("HTTP_PORT", "-1"), invalid("HTTP_PORT", "65536"),
      ok("POULE_CONCURRENCY", "1"), ok("POULE_CONCURRENCY", "10000"), invalid("POULE_CONCURRENCY", "0"),
      invalid("POULE_CONCURRENCY", "10001"), invalid("POULE_CONCURRENCY", "-3"),
      ok("POULE_TIMEOUT_MS", "1"), ok("POULE_TIMEOUT_MS", "600000"), invalid("POULE_TIMEOUT_MS", "0"),
      invalid("POULE_TIMEOUT_MS", "600001"), invalid("POULE_TIMEOUT_MS", "1s"),
      ok("POULE_SERVICE", "s"), ok("POULE_SERVICE", "s".repeat(64)), invalid("POULE_SERVICE", "s".repeat(65)),
      invalid("POULE_SERVICE", "sl ip"),
      ok("POULE_TRANSPORT", "http"), ok("POULE_TRANSPORT", "eventbus"), invalid("POULE_TRANSPORT", "EVENTBUS"),
      invalid("POULE_TRANSPORT", "grpc")), SettingsTable.common());
  }

  @Test
  void defaults_are_ten_in_flight_one_second_timeout_calling_slip_over_http() {
    assertThat(PouleConfig.fromEnv(new Env(Map.of())))
      .isEqualTo(new PouleConfig(8080, 10, 1_000, "slip", PouleConfig.Transport.HTTP));
  }

  @Test
  void poule_transport_eventbus_calls_over_the_event_bus() {
    assertThat(PouleConfig.fromEnv(new Env(Map.of("POULE_TRANSPORT", "eventbus"))).transport())
      .isEqualTo(PouleConfig.Transport.EVENTBUS);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("settings")
  void each_setting_is_taken_or_refused_with_one_line(SettingsTable.Setting setting) {
    setting.check(env -> ServiceSettings.fromEnv("poule", env, PouleConfig::fromEnv));
  }
}
