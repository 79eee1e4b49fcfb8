package disco.poule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import disco.registry.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PouleConfigTest {

  private static PouleConfig config(Map<String, String> env) {
    return PouleConfig.fromEnv(new Env(env));
  }

  @Test
  void defaults_are_ten_in_flight_one_second_timeout_calling_slip() {
    assertThat(config(Map.of())).isEqualTo(new PouleConfig(8080, 10, 1_000, "slip"));
  }

  @Test
  void negative_concurrency_is_rejected_naming_the_variable() {
    assertThatThrownBy(() -> config(Map.of("POULE_CONCURRENCY", "-3")))
      .hasMessage("POULE_CONCURRENCY=-3 is invalid: expected an integer from 1 to 10000");
  }

  @Test
  void bad_timeout_and_service_name_are_rejected() {
    assertThatThrownBy(() -> config(Map.of("POULE_TIMEOUT_MS", "1s"))).hasMessageStartingWith("POULE_TIMEOUT_MS=1s is invalid");
    assertThatThrownBy(() -> config(Map.of("POULE_SERVICE", "sl ip"))).hasMessageStartingWith("POULE_SERVICE=sl ip is invalid");
  }
}
