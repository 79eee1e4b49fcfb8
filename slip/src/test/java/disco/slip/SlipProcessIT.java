package disco.slip;

import static org.assertj.core.api.Assertions.assertThat;

import disco.registry.JavaProcess;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The built jar, run as a user runs it: bad environment values stop it with one clear line and a non-zero exit. */
@Timeout(60)
class SlipProcessIT {

  private static String failWith(String name, Map<String, String> env) {
    try (JavaProcess slip = JavaProcess.start(JavaProcess.jar("slip"), env, JavaProcess.logFile(name))) {
      assertThat(slip.waitForExit(30)).isEqualTo(2);
      return slip.output().strip();
    }
  }

  @Test
  void non_numeric_delay_stops_slip_with_one_line() {
    assertThat(failWith("bad-delay", Map.of("SLIP_DELAY_MS", "abc")))
      .isEqualTo("configuration error: SLIP_DELAY_MS=abc is invalid: expected an integer from 0 to 60000");
  }

  @Test
  void unresolvable_member_stops_slip_with_one_line_naming_it() {
    assertThat(failWith("bad-member", Map.of("CLUSTER_MEMBERS", "slip-nowhere.invalid")))
      .startsWith("configuration error: CLUSTER_MEMBERS: cannot resolve 'slip-nowhere.invalid'")
      .doesNotContain("\n");
  }
}
