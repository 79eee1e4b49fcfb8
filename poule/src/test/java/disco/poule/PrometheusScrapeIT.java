package disco.poule;

import static disco.registry.TestCluster.within;
import static org.assertj.core.api.Assertions.assertThat;

import disco.registry.Http;
import disco.registry.JavaProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real Prometheus (Debian's package: `./disco test` installs it) scrapes poule, two slips and the
 * watcher through the scrape configuration the project ships for local runs
 * (docker/prometheus-local.yml, file service discovery), and what it stores agrees with poule's own
 * figures. promtool lints every service's /metrics as Prometheus itself would.
 */
@Timeout(180)
class PrometheusScrapeIT {

  private static final String CLUSTER = "prom-" + UUID.randomUUID().toString().substring(0, 8);
  private static final List<JavaProcess> PROCESSES = new ArrayList<>();
  private static final Map<String, Integer> PORTS = new HashMap<>();
  private static Path workDir;
  private static Process prometheus;
  private static String prometheusUrl;

  private static int start(String jar, String hostname) {
    JavaProcess process = JavaProcess.start(JavaProcess.jar(jar), Map.of("CLUSTER_NAME", CLUSTER, "HTTP_PORT", "0",
      "HOSTNAME", hostname), JavaProcess.logFile(CLUSTER + "-" + hostname));
    PROCESSES.add(process);
    int port = Integer.parseInt(process.awaitLog("ready on port (\\d+)", Duration.ofSeconds(60)));
    PORTS.put(hostname, port);
    return port;
  }

  private static String binary(String name) {
    for (String dir : System.getenv("PATH").split(":")) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new AssertionError(name + " is not installed: run the tests with ./disco test, which installs it "
      + "(apt-get install prometheus)");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @BeforeAll
  static void startServicesAndPrometheus() throws Exception {
    int poule = start("poule", "poule-prom");
    start("slip", "slip-a");
    start("slip", "slip-b");
    start("registry", "watcher-prom");
    within(Duration.ofSeconds(15), "both slips called", () -> {
      JsonObject perHost = Http.json("http://127.0.0.1:" + poule + "/api/stats").getJsonObject("perHost");
      return perHost.containsKey("slip-a") && perHost.containsKey("slip-b");
    });

    // the shipped configuration, in the layout it expects: docker/ beside .disco/prometheus/
    workDir = Files.createTempDirectory("disco-prometheus");
    Path config = workDir.resolve("docker").resolve("prometheus-local.yml");
    Files.createDirectories(config.getParent());
    Files.copy(Path.of("..", "docker", "prometheus-local.yml"), config);
    Path targets = workDir.resolve(".disco").resolve("prometheus").resolve("targets.json");
    Files.createDirectories(targets.getParent());
    JsonArray groups = new JsonArray();
    PORTS.forEach((host, port) -> groups.add(new JsonObject()
      .put("targets", new JsonArray().add("127.0.0.1:" + port))
      .put("labels", new JsonObject().put("hostname", host))));
    Files.writeString(targets, groups.encode());

    int port = freePort();
    prometheusUrl = "http://127.0.0.1:" + port;
    prometheus = new ProcessBuilder(binary("prometheus"), "--config.file=" + config,
      "--storage.tsdb.path=" + workDir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
      .redirectErrorStream(true).redirectOutput(workDir.resolve("prometheus.log").toFile()).start();
  }

  @AfterAll
  static void stopAll() throws Exception {
    if (prometheus != null) {
      prometheus.destroy();
      prometheus.waitFor(10, TimeUnit.SECONDS);
    }
    PROCESSES.forEach(JavaProcess::close);
  }

  private static JsonArray query(String promql) {
    JsonObject answer = Http.json(prometheusUrl + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    assertThat(answer.getString("status")).isEqualTo("success");
    return answer.getJsonObject("data").getJsonArray("result");
  }

  /** One value per series, keyed by the given label. */
  private static Map<String, Double> byLabel(JsonArray result, String label) {
    return result.stream().map(JsonObject.class::cast).collect(Collectors.toMap(
      series -> series.getJsonObject("metric").getString(label),
      series -> Double.parseDouble(series.getJsonArray("value").getString(1))));
  }

  @Test
  void prometheus_scrapes_every_service_and_its_calls_per_host_agree_with_poule_within_5_percent() {
    within(Duration.ofSeconds(60), "every target up in Prometheus", () -> {
      Map<String, Double> up = byLabel(query("up"), "hostname");
      return up.size() == 4 && up.values().stream().allMatch(value -> value == 1.0);
    });
    // every member counts the cluster the same: 3 data members and the watcher
    within(Duration.ofSeconds(30), "members scraped from every service", () -> {
      Map<String, Double> data = byLabel(query("disco_cluster_members{role=\"data\"}"), "hostname");
      Map<String, Double> lite = byLabel(query("disco_cluster_members{role=\"lite\"}"), "hostname");
      return data.size() == 4 && data.values().stream().allMatch(v -> v == 3.0)
        && lite.values().stream().allMatch(v -> v == 1.0);
    });
    assertThat(byLabel(query("disco_records{hostname=\"watcher-prom\"}"), "service"))
      .containsEntry("slip", 2.0).containsEntry("poule", 1.0);

    // poule's figures, sampled often, beside what Prometheus stored at its last scrape
    int poule = PORTS.get("poule-prom");
    List<JsonObject> snapshots = new ArrayList<>();
    long end = System.currentTimeMillis() + 8_000;
    while (System.currentTimeMillis() < end) {
      snapshots.add(Http.json("http://127.0.0.1:" + poule + "/api/stats"));
      sleep(100);
    }
    JsonArray calls = query("sum by (host) (disco_poule_calls_total)");
    JsonArray stamps = query("timestamp(disco_poule_calls_total)");
    double scrapedAt = stamps.getJsonObject(0).getJsonArray("value").stream().skip(1).findFirst()
      .map(value -> Double.parseDouble((String) value) * 1000).orElseThrow();
    JsonObject nearest = snapshots.stream()
      .min((a, b) -> Double.compare(Math.abs(a.getLong("time") - scrapedAt), Math.abs(b.getLong("time") - scrapedAt)))
      .orElseThrow();
    Map<String, Double> scraped = byLabel(calls, "host");
    assertThat(scraped.keySet()).containsExactlyInAnyOrder("slip-a", "slip-b");
    scraped.forEach((host, value) -> {
      long own = nearest.getJsonObject("perHost").getJsonObject(host).getLong("calls");
      assertThat(own).as("calls answered by %s", host).isGreaterThan(100);
      assertThat(value).as("calls of %s in Prometheus against poule's %d", host, own).isCloseTo(own, within5Percent(own));
    });
    // a rate Prometheus computes: poule keeps 10 calls of 100 ms in flight, about 100 a second in all
    double rate = query("sum(rate(disco_poule_calls_total[10s]))").getJsonObject(0).getJsonArray("value").stream()
      .skip(1).map(value -> Double.parseDouble((String) value)).findFirst().orElseThrow();
    assertThat(rate).isBetween(50.0, 110.0);
    assertThat(query("histogram_quantile(0.5, sum by (le) (rate(disco_poule_call_duration_seconds_bucket[10s])))"))
      .isNotEmpty();
  }

  private static org.assertj.core.data.Offset<Double> within5Percent(long value) {
    return org.assertj.core.data.Offset.offset(value * 0.05);
  }

  @Test
  void every_service_serves_metrics_that_promtool_finds_well_formed() throws Exception {
    for (Map.Entry<String, Integer> service : PORTS.entrySet()) {
      String text = Http.get("http://127.0.0.1:" + service.getValue() + "/metrics");
      Path file = Files.createTempFile("metrics-" + service.getKey(), ".txt");
      Files.writeString(file, text);
      Process lint = new ProcessBuilder(binary("promtool"), "check", "metrics").redirectInput(file.toFile())
        .redirectErrorStream(true).start();
      String out = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(lint.waitFor(30, TimeUnit.SECONDS)).isTrue();
      List<String> ours = out.lines().filter(line -> line.startsWith("disco_") || line.startsWith("process_resident"))
        .toList();
      assertThat(ours).as("promtool on %s's disco_ metrics", service.getKey()).isEmpty();
      // platform, Vert.x, JVM and process meters, each under its own name: never a host name in a name
      assertThat(text).contains("disco_cluster_members{", "jvm_memory_used_bytes{", "process_resident_memory_bytes ",
        "process_files_open_files ", service.getKey().startsWith("slip") ? "disco_slip_requests_total " : "vertx_http_server_");
      text.lines().filter(line -> !line.startsWith("#") && !line.isBlank())
        .map(line -> line.replaceAll("[{ ].*", ""))
        .forEach(name -> assertThat(name).matches("[a-z_][a-z0-9_]*").doesNotContain(service.getKey().replace('-', '_')));
    }
    String poule = Http.get("http://127.0.0.1:" + PORTS.get("poule-prom") + "/metrics");
    assertThat(poule).contains("# TYPE disco_poule_calls_total counter", "disco_poule_calls_total{host=\"slip-a\"}",
      "disco_poule_call_duration_seconds_bucket{host=\"slip-a\",le=", "disco_poule_pool_instances 2",
      "disco_poule_calls_in_flight ", "vertx_http_client_");
    // slip counts its requests itself: Vert.x's per-request server meters cost it throughput
    String slip = Http.get("http://127.0.0.1:" + PORTS.get("slip-a") + "/metrics");
    assertThat(slip).contains("disco_slip_requests_in_flight ", "# TYPE disco_slip_requests_total counter",
      "disco_slip_request_duration_seconds_bucket{le=\"0.105\"}").doesNotContain("vertx_http_server_requests_total");
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
