package disco.poule;

import static disco.registry.TestCluster.await;
import static disco.registry.TestCluster.within;
import static org.assertj.core.api.Assertions.assertThat;

import disco.registry.ClusterNode;
import disco.registry.ServiceEndpoint;
import disco.registry.TestCluster;
import disco.registry.records.ServiceIdentity;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** POULE_TRANSPORT=eventbus: the same calls, the same balancing and retries, over the event bus across the cluster. */
@Timeout(120)
class PouleOverEventBusTest {

  private static final int CONCURRENCY = 10;
  private static final int DELAY_MS = 100;

  private TestCluster cluster;
  private ClusterNode node;
  private WebClient client;
  private int port;

  @BeforeEach
  void startPoule() {
    cluster = new TestCluster();
    node = cluster.join();
    await(node.startBus());
    ServiceEndpoint endpoint = new ServiceEndpoint(node,
      new ServiceIdentity("poule", "poule-test", "test", System.currentTimeMillis()), "127.0.0.1");
    await(node.vertx().deployVerticle(new PouleVerticle(
      new PouleConfig(0, CONCURRENCY, 1_000, "slip", PouleConfig.Transport.EVENTBUS), node, endpoint)));
    port = endpoint.port();
    client = WebClient.create(node.vertx());
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private JsonObject stats() {
    return await(client.get(port, "127.0.0.1", "/api/stats").send()).bodyAsJsonObject();
  }

  @Test
  void calls_every_slip_over_the_event_bus_with_n_in_flight_and_none_over_http() {
    FakeSlip first = FakeSlip.onEventBus(cluster, "bus-1", DELAY_MS);
    FakeSlip second = FakeSlip.onEventBus(cluster, "bus-2", DELAY_MS);

    within(Duration.ofSeconds(20), "both slips called over the event bus",
      () -> first.served.get() > 50 && second.served.get() > 50);

    JsonObject stats = stats();
    assertThat(stats.getString("transport")).isEqualTo("eventbus");
    assertThat(stats.getLong("errors")).isZero();
    assertThat(first.maxInFlight.get() + second.maxInFlight.get()).isLessThanOrEqualTo(2 * CONCURRENCY);
    assertThat(stats.getJsonObject("perHost").fieldNames()).contains("bus-1", "bus-2");
  }

  @Test
  void a_killed_slip_costs_no_failed_call_over_the_event_bus() {
    FakeSlip survivor = FakeSlip.onEventBus(cluster, "survivor", DELAY_MS);
    FakeSlip doomed = FakeSlip.onEventBus(cluster, "doomed", DELAY_MS);
    within(Duration.ofSeconds(20), "both called", () -> survivor.served.get() > 20 && doomed.served.get() > 20);

    doomed.crash();
    long before = survivor.served.get();
    within(Duration.ofSeconds(20), "calls go on on the survivor", () -> survivor.served.get() > before + 300);

    assertThat(stats().getLong("errors")).isZero();
  }

  /** An instance that publishes no event-bus address (an older slip) fails its attempts: they go elsewhere. */
  @Test
  void a_slip_without_an_event_bus_address_is_passed_over_with_no_failed_call() {
    FakeSlip onBus = FakeSlip.onEventBus(cluster, "on-bus", DELAY_MS);
    FakeSlip httpOnly = new FakeSlip(cluster, "http-only", DELAY_MS);
    within(Duration.ofSeconds(20), "calls flowing over the event bus", () -> onBus.served.get() > 100);

    JsonObject stats = stats();
    assertThat(httpOnly.served.get()).isZero();
    assertThat(stats.getLong("errors")).isZero();
    assertThat(stats.getLong("retries")).isPositive();
  }
}
