package disco.poule;

import static disco.registry.TestCluster.within;
import static org.assertj.core.api.Assertions.assertThat;

import disco.registry.JavaProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The honest test: poule and slips as separate JVM processes on loopback, from the built jars.
 * Slips come and go while poule keeps calling; what the user sees is poule's /api/stats.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class ClusterIT {

  private static final String CLUSTER = "it-" + UUID.randomUUID().toString().substring(0, 8);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final List<JavaProcess> PROCESSES = new ArrayList<>();
  private static int poulePort;

  private static JavaProcess start(String jar, String hostname, Map<String, String> extra) {
    Map<String, String> env = new java.util.HashMap<>(Map.of("CLUSTER_NAME", CLUSTER, "HTTP_PORT", "0", "HOSTNAME", hostname));
    env.putAll(extra);
    JavaProcess process = JavaProcess.start(JavaProcess.jar(jar), env, JavaProcess.logFile(CLUSTER + "-" + hostname));
    PROCESSES.add(process);
    return process;
  }

  private static int readyPort(JavaProcess process) {
    return Integer.parseInt(process.awaitLog("ready on port (\\d+)", Duration.ofSeconds(60)));
  }

  private static JsonObject get(int port, String path) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return new JsonObject(response.body());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static int status(int port, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static JsonObject stats() {
    return get(poulePort, "/api/stats");
  }

  private static JsonObject host(String hostname) {
    return stats().getJsonObject("perHost").getJsonObject(hostname);
  }

  private static boolean hasRecord(String hostname) {
    JsonArray records = get(poulePort, "/cluster").getJsonArray("records");
    return records.stream().map(JsonObject.class::cast)
      .anyMatch(record -> hostname.equals(record.getJsonObject("metadata").getString("hostname")));
  }

  @BeforeAll
  static void startPouleAndTwoSlips() {
    JavaProcess poule = start("poule", "poule-it", Map.of());
    poulePort = readyPort(poule);
    readyPort(start("slip", "slip-1", Map.of()));
    readyPort(start("slip", "slip-2", Map.of()));
    within(Duration.ofSeconds(10), "both slips called", () -> host("slip-1") != null && host("slip-2") != null);
  }

  @AfterAll
  static void stopAll() {
    PROCESSES.forEach(JavaProcess::close);
  }

  /** A new slip is called within a second of becoming ready. */
  @Test
  @Order(1)
  void new_slip_is_called_within_a_second_of_readiness() {
    JavaProcess slip = start("slip", "slip-3", Map.of());
    int port = readyPort(slip);
    within(Duration.ofSeconds(10), "slip-3 ready", () -> status(port, "/health/ready") == 200);
    long readyAt = System.currentTimeMillis();

    within(Duration.ofSeconds(5), "slip-3 called", () -> host("slip-3") != null);
    long firstCall = host("slip-3").getLong("firstSeen");

    assertThat(firstCall - readyAt).isLessThanOrEqualTo(1_000);
    assertThat(stats().getJsonArray("members")).hasSize(4);
  }

  /** SIGTERM: the slip unpublishes, drains, leaves and exits; poule sees no failed call. */
  @Test
  @Order(2)
  void slip_stopped_with_sigterm_costs_no_failed_call() {
    long errorsBefore = stats().getLong("errors");
    JavaProcess slip = PROCESSES.stream().filter(p -> p.output().contains("slip slip-3 ready")).findFirst().orElseThrow();

    slip.terminate();
    int exit = slip.waitForExit(30);

    assertThat(exit).as("exit status after SIGTERM (143 = 128 + 15, a JVM that ran its hooks)").isIn(0, 143);
    assertThat(slip.output()).contains("Unpublished slip record", "drained and stopped", "Left the cluster");
    assertThat(hasRecord("slip-3")).isFalse();
    long callsOnOthers = host("slip-1").getLong("calls");
    within(Duration.ofSeconds(5), "calls go on", () -> host("slip-1").getLong("calls") > callsOnOthers + 50);
    assertThat(stats().getLong("errors")).isEqualTo(errorsBefore);
  }

  /** SIGKILL: the survivors remove the record within 5 s; poule retries elsewhere, so no call fails. */
  @Test
  @Order(3)
  void slip_killed_with_sigkill_is_removed_within_5_s_and_costs_no_failed_call() {
    long errorsBefore = stats().getLong("errors");
    JavaProcess slip = PROCESSES.stream().filter(p -> p.output().contains("slip slip-2 ready")).findFirst().orElseThrow();

    slip.kill();
    Duration removed = within(Duration.ofSeconds(5), "slip-2 record removed", () -> !hasRecord("slip-2"));

    long callsOnSurvivor = host("slip-1").getLong("calls");
    within(Duration.ofSeconds(5), "calls go on", () -> host("slip-1").getLong("calls") > callsOnSurvivor + 50);
    assertThat(stats().getLong("errors")).isEqualTo(errorsBefore);
    assertThat(stats().getJsonArray("instances")).hasSize(1);
    assertThat(removed).isLessThan(Duration.ofSeconds(5));
  }

  /** Bad input at start: one line naming the variable, exit status 2, and the running cluster untouched. */
  @Test
  @Order(4)
  void negative_concurrency_stops_poule_with_one_line() {
    JavaProcess bad = start("poule", "bad-poule", Map.of("POULE_CONCURRENCY", "-3"));
    assertThat(bad.waitForExit(30)).isEqualTo(2);
    assertThat(bad.output().strip())
      .isEqualTo("configuration error: POULE_CONCURRENCY=-3 is invalid: expected an integer from 1 to 10000");
  }
}
