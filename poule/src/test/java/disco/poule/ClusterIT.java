package disco.poule;

import static disco.registry.TestCluster.within;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.sun.net.httpserver.HttpServer;
import disco.registry.JavaProcess;
import disco.registry.TestCluster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
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

  /** A slip started with another secret forms a cluster of its own: poule never sees it. */
  @Test
  @Order(5)
  void slip_with_another_secret_is_never_called() throws InterruptedException {
    JavaProcess stranger = start("slip", "slip-stranger", Map.of("CLUSTER_SECRET", "a-secret-nobody-else-holds"));
    readyPort(stranger);
    int members = stats().getJsonArray("members").size();
    long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
    while (System.nanoTime() < end) {
      assertThat(host("slip-stranger")).isNull();
      assertThat(stats().getJsonArray("members")).hasSize(members);
      Thread.sleep(250);
    }
    stranger.close();
  }

  /**
   * A raw Hazelcast member that joins by the cluster's name alone writes a well-formed record naming a live
   * member, then replays slip-1's signed record with its own address: poule never calls it, lists
   * both as rejected, keeps calling slip-1 (which writes its record back) and fails no call.
   */
  @Test
  @Order(6)
  void records_forged_by_a_raw_hazelcast_member_are_never_called() throws Exception {
    long errorsBefore = stats().getLong("errors");
    AtomicInteger trapCalls = new AtomicInteger();
    HttpServer trap = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    trap.createContext("/", exchange -> {
      trapCalls.incrementAndGet();
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    trap.start();
    JsonObject view = get(poulePort, "/cluster");
    JsonObject self = view.getJsonArray("members").stream().map(JsonObject.class::cast)
      .filter(member -> member.getBoolean("self")).findFirst().orElseThrow();
    JsonObject slip1 = view.getJsonArray("records").stream().map(JsonObject.class::cast)
      .filter(record -> "slip-1".equals(record.getJsonObject("metadata").getString("hostname"))).findFirst().orElseThrow();
    // members take no Hazelcast clients: the forger joins as a member, by the derived name alone
    HazelcastInstance intruder = TestCluster.rawMember(TestCluster.SECRET.clusterName(CLUSTER), self.getString("address"));
    try {
      IMap<String, String> map = intruder.getMap("service.registry");
      JsonObject forged = slip1.copy().put("registration", "forged-1");
      forged.getJsonObject("location").put("host", "127.0.0.1").put("port", trap.getAddress().getPort());
      forged.getJsonObject("metadata").remove("signature");
      forged.getJsonObject("metadata").put("hostname", "forged-1");
      map.put("forged-1", forged.encode());
      JsonObject replayed = slip1.copy();
      replayed.getJsonObject("location").put("host", "127.0.0.1").put("port", trap.getAddress().getPort());
      map.put(slip1.getString("registration"), replayed.encode());

      within(Duration.ofSeconds(5), "forged record listed as rejected", () -> rejectedKeys().contains("forged-1"));
      long end = System.nanoTime() + Duration.ofSeconds(6).toNanos();
      while (System.nanoTime() < end) {
        assertThat(host("forged-1")).isNull();
        Thread.sleep(250);
      }
      assertThat(trapCalls.get()).as("calls that reached the forged address").isZero();
      assertThat(hasRecord("slip-1")).isTrue();
      long calls = host("slip-1").getLong("calls");
      within(Duration.ofSeconds(5), "slip-1 still called", () -> host("slip-1").getLong("calls") > calls + 50);
      assertThat(stats().getLong("errors")).isEqualTo(errorsBefore);
      assertThat(stats().getJsonArray("rejected").stream().map(JsonObject.class::cast)
        .map(entry -> entry.getString("key"))).contains("forged-1");
    } finally {
      intruder.shutdown();
      trap.stop(0);
    }
  }

  private static List<String> rejectedKeys() {
    return get(poulePort, "/cluster").getJsonArray("rejected").stream().map(JsonObject.class::cast)
      .map(entry -> entry.getString("key")).toList();
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
