package disco.poule;

import static disco.registry.TestCluster.await;
import static disco.registry.TestCluster.within;
import static org.assertj.core.api.Assertions.assertThat;

import disco.registry.ClusterNode;
import disco.registry.ServiceEndpoint;
import disco.registry.records.ServiceIdentity;
import disco.registry.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.Status;
import io.vertx.servicediscovery.types.HttpEndpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Poule against fake slips in one JVM, observed through its own /api/stats and through the fakes. */
@ExtendWith(VertxExtension.class)
@Timeout(90)
class PouleVerticleTest {

  private static final int CONCURRENCY = 10;
  private static final int DELAY_MS = 100;
  private static final long LOAD_MS = 3_000;

  private TestCluster cluster;
  private WebClient client;
  private int port;

  @BeforeEach
  void startPoule(Vertx vertx) {
    cluster = new TestCluster();
    ClusterNode node = cluster.join();
    ServiceIdentity identity = new ServiceIdentity("poule", "poule-test", "test", System.currentTimeMillis());
    ServiceEndpoint endpoint = new ServiceEndpoint(node, identity, "127.0.0.1");
    await(node.vertx().deployVerticle(new PouleVerticle(new PouleConfig(0, CONCURRENCY, 1_000, "slip", PouleConfig.Transport.HTTP), node, endpoint)));
    port = endpoint.port();
    client = WebClient.create(vertx);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private Future<JsonObject> statsLater() {
    return client.get(port, "127.0.0.1", "/api/stats").send().map(response -> response.bodyAsJsonObject());
  }

  private JsonObject stats() {
    return await(statsLater());
  }

  private static long calls(JsonObject stats, String host) {
    JsonObject perHost = stats.getJsonObject("perHost").getJsonObject(host);
    return perHost == null ? 0 : perHost.getLong("calls");
  }

  @Test
  void keeps_exactly_n_calls_in_flight_on_one_slip() {
    FakeSlip slip = new FakeSlip(cluster, "only", DELAY_MS);
    within(Duration.ofSeconds(5), "calls flowing", () -> slip.served.get() > 3 * CONCURRENCY);

    int samples = 0;
    int atConcurrency = 0;
    long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (System.nanoTime() < end) {
      samples++;
      atConcurrency += slip.inFlight.get() == CONCURRENCY ? 1 : 0;
      within(Duration.ofSeconds(1), "next sample", () -> true);
    }

    assertThat(slip.maxInFlight.get()).isEqualTo(CONCURRENCY);
    // between a response and the next request the count dips for microseconds; most samples see all N
    assertThat(atConcurrency).isGreaterThan(samples / 2);
    assertThat(stats().getInteger("inFlight")).isEqualTo(CONCURRENCY);
    assertThat(stats().getInteger("concurrency")).isEqualTo(CONCURRENCY);
  }

  /** Load test: N in flight over 3 slips for 3 s gives about N / delay calls a second, spread evenly. */
  @Test
  void spreads_calls_evenly_over_three_slips_at_concurrency_over_delay(Vertx vertx, VertxTestContext ctx) {
    List<FakeSlip> slips = List.of(new FakeSlip(cluster, "s1", DELAY_MS), new FakeSlip(cluster, "s2", DELAY_MS),
      new FakeSlip(cluster, "s3", DELAY_MS));
    within(Duration.ofSeconds(5), "all three called", () -> slips.stream().allMatch(slip -> slip.served.get() > 20));

    long startNanos = System.nanoTime();
    statsLater()
      .compose(before -> vertx.timer(LOAD_MS).compose(v -> statsLater()).map(after -> List.of(before, after)))
      .onComplete(ctx.succeeding(pair -> ctx.verify(() -> {
        JsonObject before = pair.get(0);
        JsonObject after = pair.get(1);
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        long[] perHost = slips.stream().mapToLong(slip -> calls(after, slip.hostname) - calls(before, slip.hostname)).toArray();
        long total = after.getLong("total") - before.getLong("total");
        double ideal = CONCURRENCY * 1000.0 / DELAY_MS * seconds;
        assertThat(total).isGreaterThan((long) (0.85 * ideal)).isLessThanOrEqualTo((long) (1.02 * ideal));
        long max = Arrays.stream(perHost).max().orElseThrow();
        long min = Arrays.stream(perHost).min().orElseThrow();
        assertThat((double) max / min).isLessThanOrEqualTo(1.3);
        assertThat(slips).allSatisfy(slip -> assertThat(slip.maxInFlight.get()).isLessThanOrEqualTo(CONCURRENCY));
        assertThat(after.getLong("errors")).isZero();
        ctx.completeNow();
      })));
  }

  /** A slip that stops answering while its record lingers costs retries, never a failed call. */
  @Test
  void dead_instance_is_retried_elsewhere_with_no_failed_call() {
    FakeSlip alive = new FakeSlip(cluster, "alive", DELAY_MS);
    FakeSlip doomed = new FakeSlip(cluster, "doomed", DELAY_MS);
    within(Duration.ofSeconds(5), "both called", () -> alive.served.get() > 10 && doomed.served.get() > 10);

    doomed.stopServing();
    long servedBefore = alive.served.get();
    within(Duration.ofSeconds(5), "calls go on", () -> alive.served.get() > servedBefore + 200);

    JsonObject stats = stats();
    assertThat(stats.getLong("errors")).isZero();
    assertThat(stats.getLong("retries")).isPositive();
    assertThat(stats.getJsonArray("instances").stream().map(JsonObject.class::cast)
      .filter(instance -> instance.getString("hostname").equals("doomed")).findFirst().orElseThrow()
      .getBoolean("ejected")).isTrue();
  }

  /**
   * Entries a member of the cluster could write, signed or not, that are not usable slip records: no
   * location, a foreign location, another type, a status other than UP, not JSON at all. Poule calls
   * none of them and goes on calling the real slip without a failed call.
   */
  @Test
  void records_that_are_not_usable_slips_are_skipped_and_calls_go_on() {
    FakeSlip real = new FakeSlip(cluster, "real", DELAY_MS);
    within(Duration.ofSeconds(5), "real slip called", () -> real.served.get() > 10);
    ClusterNode writer = cluster.join();
    JsonObject metadata = new JsonObject().put("nodeId", writer.nodeId()).put("hostname", "bogus");
    List<Record> bogus = List.of(
      new Record().setName("slip").setType(HttpEndpoint.TYPE).setRegistration("no-location").setMetadata(metadata)
        .setStatus(Status.UP),
      new Record().setName("slip").setType(HttpEndpoint.TYPE).setRegistration("foreign-location")
        .setLocation(new JsonObject().put("endpoint", "http://10.66.0.1/")).setMetadata(metadata).setStatus(Status.UP),
      new Record().setName("slip").setType("eventbus-service-proxy").setRegistration("other-type")
        .setLocation(new JsonObject().put("endpoint", "some.address")).setMetadata(metadata).setStatus(Status.UP),
      HttpEndpoint.createRecord("slip", "10.66.0.2", 8080, "/", metadata).setRegistration("down").setStatus(Status.DOWN));
    for (Record record : bogus) {
      TestCluster.putRaw(writer, record.getRegistration(), TestCluster.SECRET.sign(record).toJson().encode());
    }
    TestCluster.putRaw(writer, "unsigned", HttpEndpoint.createRecord("slip", "10.66.0.3", 8080, "/", metadata)
      .setRegistration("unsigned").setStatus(Status.UP).toJson().encode());
    TestCluster.putRaw(writer, "garbage", "{not json at all");

    within(Duration.ofSeconds(5), "the unsigned and the garbage entries rejected",
      () -> stats().getJsonArray("rejected").size() == 2);
    long calls = real.served.get();
    within(Duration.ofSeconds(5), "calls go on", () -> real.served.get() > calls + 200);
    JsonObject stats = stats();
    assertThat(stats.getLong("errors")).isZero();
    assertThat(stats.getJsonArray("instances")).hasSize(1);
    assertThat(stats.getJsonObject("perHost").fieldNames()).containsExactly("real");
  }

  /**
   * The pool empties while calls are under way and their attempts fail (after a split, every record
   * is replaced at once): those calls wait for an instance like new ones do, and none fails.
   */
  @Test
  void calls_whose_retry_finds_no_instance_wait_for_one_instead_of_failing() throws InterruptedException {
    // slow, but within poule's 1 s timeout: at any moment the slip holds the calls under way
    FakeSlip slow = new FakeSlip(cluster, "slow", 800);
    within(Duration.ofSeconds(5), "every call held by the slow slip", () -> slow.inFlight.get() == CONCURRENCY);
    JsonObject before = stats();
    slow.unpublish();
    within(Duration.ofSeconds(2), "the pool empty", () -> stats().getJsonArray("instances").isEmpty());

    slow.dropHeldRequests();
    Thread.sleep(500);
    FakeSlip rescue = new FakeSlip(cluster, "rescue", DELAY_MS);
    within(Duration.ofSeconds(5), "calls served by the new slip", () -> rescue.served.get() > 3 * CONCURRENCY);

    JsonObject stats = stats();
    assertThat(stats.getLong("errors")).isEqualTo(before.getLong("errors"));
    assertThat(stats.getLong("retries")).as("calls cut off and retried").isGreaterThan(before.getLong("retries"));
  }

  /** With no slip, poule waits and says so; it resumes by itself when one appears. */
  @Test
  void waits_without_slip_and_resumes_when_one_appears() {
    within(Duration.ofSeconds(3), "first discovery read", () -> stats().getBoolean("noSlip"));
    JsonObject idle = stats();
    assertThat(idle.getLong("total")).isZero();
    assertThat(idle.getInteger("inFlight")).isZero();
    assertThat(idle.getLong("errors")).isZero();

    FakeSlip late = new FakeSlip(cluster, "late", DELAY_MS);
    within(Duration.ofSeconds(2), "calls resumed", () -> late.served.get() > 0);
    assertThat(stats().getBoolean("noSlip")).isFalse();
    assertThat(stats().getLong("errors")).isZero();
  }
}
