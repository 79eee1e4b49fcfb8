package disco.slip;

import static org.assertj.core.api.Assertions.assertThat;

import disco.registry.JavaProcess;
import disco.registry.SettingsTable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The built jar, run as a user runs it: every refused value stops it with one clear line and exit status 2. */
@Timeout(60)
class SlipProcessIT {

  static List<SettingsTable.Setting> refusals() {
    return SettingsTable.refusals(SlipConfigTest.settings());
  }

  /** The explicit open cluster starts, and says so in one warning line, once. */
  @Test
  void insecure_switch_starts_an_open_cluster_with_one_warning_line() {
    try (JavaProcess slip = JavaProcess.start(JavaProcess.jar("slip"), Map.of("CLUSTER_INSECURE", "true", "HTTP_PORT", "0",
      "CLUSTER_NAME", "open-" + UUID.randomUUID().toString().substring(0, 8)), JavaProcess.logFile("insecure-slip"))) {
      slip.awaitLog("ready on port (\\d+)", Duration.ofSeconds(60));
      assertThat(slip.output().lines().filter(line -> line.contains("CLUSTER_INSECURE=true: an open cluster")))
        .singleElement().asString().contains("WARN");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void refused_value_stops_slip_with_one_line_and_status_2(SettingsTable.Setting setting) {
    try (JavaProcess slip = JavaProcess.start(JavaProcess.jar("slip"), setting.env(),
      JavaProcess.logFile("refused-" + setting.variable()))) {
      assertThat(slip.waitForExit(30)).isEqualTo(2);
      assertThat(slip.output().strip()).startsWith("configuration error: " + setting.refusal()).doesNotContain("\n");
    }
  }
}
