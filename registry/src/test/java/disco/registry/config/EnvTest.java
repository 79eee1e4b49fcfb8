package disco.registry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvTest {

  @Test
  void integer_outside_its_range_or_not_a_number_names_variable_value_and_form() {
    Env env = new Env(Map.of("A", "abc", "B", "-5", "C", "12", "D", " 7 "));
    assertThatThrownBy(() -> env.integer("A", 1, 0, 10)).hasMessage("A=abc is invalid: expected an integer from 0 to 10");
    assertThatThrownBy(() -> env.integer("B", 1, 0, 10)).hasMessage("B=-5 is invalid: expected an integer from 0 to 10");
    assertThatThrownBy(() -> env.integer("C", 1, 0, 10)).hasMessage("C=12 is invalid: expected an integer from 0 to 10");
    assertThat(env.integer("D", 1, 0, 10)).isEqualTo(7);
    assertThat(env.integer("UNSET", 3, 0, 10)).isEqualTo(3);
  }

  @Test
  void hostname_comes_from_the_environment_first() {
    assertThat(new Env(Map.of("HOSTNAME", "slip-7")).hostname()).isEqualTo("slip-7");
    assertThat(new Env(Map.of()).hostname()).isNotBlank();
  }
}
