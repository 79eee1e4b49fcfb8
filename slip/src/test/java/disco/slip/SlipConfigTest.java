package disco.slip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import disco.registry.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlipConfigTest {

  private static SlipConfig config(Map<String, String> env) {
    return SlipConfig.fromEnv(new Env(env));
  }

  @Test
  void defaults_are_port_8080_and_100_ms() {
    assertThat(config(Map.of())).isEqualTo(new SlipConfig(8080, 100, false));
  }

  @Test
  void non_numeric_delay_is_rejected_naming_the_variable() {
    assertThatThrownBy(() -> config(Map.of("SLIP_DELAY_MS", "abc")))
      .hasMessage("SLIP_DELAY_MS=abc is invalid: expected an integer from 0 to 60000");
  }

  @Test
  void negative_delay_and_bad_port_are_rejected() {
    assertThatThrownBy(() -> config(Map.of("SLIP_DELAY_MS", "-1"))).hasMessageStartingWith("SLIP_DELAY_MS=-1 is invalid");
    assertThatThrownBy(() -> config(Map.of("HTTP_PORT", "65536"))).hasMessageStartingWith("HTTP_PORT=65536 is invalid");
  }

  @Test
  void fault_is_none_or_unready() {
    assertThat(config(Map.of("SLIP_FAULT", "unready")).unready()).isTrue();
    assertThatThrownBy(() -> config(Map.of("SLIP_FAULT", "crash")))
      .hasMessage("SLIP_FAULT=crash is invalid: expected none or unready");
  }
}
