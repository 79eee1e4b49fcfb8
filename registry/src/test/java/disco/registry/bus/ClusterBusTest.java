package disco.registry.bus;

import static disco.registry.TestCluster.await;
import static disco.registry.TestCluster.within;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import disco.registry.ClusterNode;
import disco.registry.TestCluster;
import disco.registry.cluster.TestMembers;
import disco.registry.config.ClusterConfig;
import disco.registry.discovery.ClusterEventBus;
import disco.registry.security.ClusterSecret;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.Lock;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The event bus across the cluster: requests, shared data, closed to other credentials, back after a rejoin. */
@Timeout(120)
class ClusterBusTest {

  private static final DeliveryOptions QUICK = new DeliveryOptions().setSendTimeout(2_000);

  private final TestCluster cluster = new TestCluster();

  @AfterEach
  void close() {
    cluster.close();
  }

  /** Answers "name:body" at {@code address}, and counts what it received. */
  private static final class Echo extends VerticleBase {
    private final String address;
    private final AtomicInteger received;

    Echo(String address, AtomicInteger received) {
      this.address = address;
      this.received = received;
    }

    @Override
    public Future<?> start() {
      return vertx.eventBus().<String>consumer(address, message -> {
        received.incrementAndGet();
        message.reply(address + ":" + message.body());
      }).completion();
    }
  }

  private ClusterNode nodeWithBus() {
    ClusterNode node = cluster.join();
    await(node.startBus());
    return node;
  }

  @Test
  void a_request_crosses_the_cluster_and_its_reply_comes_back_on_the_callers_context() throws Exception {
    ClusterNode a = nodeWithBus();
    ClusterNode b = nodeWithBus();
    await(a.bus().deploy(() -> new Echo("echo", new AtomicInteger())));

    // from b's own Vert.x, as a service's verticle asks
    Context caller = b.vertx().getOrCreateContext();
    CompletableFuture<String> reply = new CompletableFuture<>();
    AtomicBoolean onCaller = new AtomicBoolean();
    caller.runOnContext(v -> b.bus().<String>request("echo", "hi", QUICK).onComplete(answer -> {
      onCaller.set(Vertx.currentContext() == caller);
      if (answer.succeeded()) {
        reply.complete(answer.result().body());
      } else {
        reply.completeExceptionally(answer.cause());
      }
    }));

    assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("echo:hi");
    assertThat(onCaller).isTrue();
  }

  @Test
  void a_vertx_application_reaches_the_event_bus_of_its_node() {
    ClusterNode a = cluster.join();

    ClusterBus bus = await(ClusterEventBus.of(a.vertx()));

    assertThat(bus).isSameAs(a.bus()).isSameAs(await(a.startBus()));
    assertThat(bus.isUp()).isTrue();
  }

  /** vertx-hazelcast writes its node into a map at start: a cluster of lite members holds none. */
  @Test
  void a_lite_member_alone_gets_its_event_bus_once_a_data_member_joins() throws InterruptedException {
    ClusterNode lite = cluster.join(ClusterConfig.loopback(cluster.name()).asLiteMember());
    Future<ClusterBus> up = lite.startBus();
    Thread.sleep(3 * ClusterBus.RETRY_MS);
    assertThat(up.isComplete()).isFalse();

    ClusterNode data = nodeWithBus();
    await(data.bus().deploy(() -> new Echo("on-data", new AtomicInteger())));
    await(up);

    assertThat(await(lite.bus().<String>request("on-data", "hi", QUICK)).body()).isEqualTo("on-data:hi");
  }

  @Test
  void shared_data_is_the_same_on_every_node() {
    ClusterNode a = nodeWithBus();
    ClusterNode b = nodeWithBus();

    AsyncMap<String, String> onA = await(a.bus().vertx().sharedData().<String, String>getAsyncMap("settings"));
    await(onA.put("colour", "blue"));
    AsyncMap<String, String> onB = await(b.bus().vertx().sharedData().<String, String>getAsyncMap("settings"));
    long counted = await(await(b.bus().vertx().sharedData().getCounter("calls")).incrementAndGet());

    assertThat(await(onB.get("colour"))).isEqualTo("blue");
    assertThat(await(await(a.bus().vertx().sharedData().getCounter("calls")).get())).isEqualTo(counted);
  }

  /** A lock held on one node is refused on another within the asked bound, and taken once released. */
  @Test
  void a_lock_is_held_across_the_cluster_and_waiting_for_it_is_bounded() {
    ClusterNode a = nodeWithBus();
    ClusterNode b = nodeWithBus();
    Lock held = await(a.bus().vertx().sharedData().getLockWithTimeout("leader", 1_000));

    long start = System.nanoTime();
    assertThatThrownBy(() -> await(b.bus().vertx().sharedData().getLockWithTimeout("leader", 500)));
    long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    held.release();

    assertThat(waitedMs).isLessThan(10_000);
    await(b.bus().vertx().sharedData().getLockWithTimeout("leader", 5_000)).release();
  }

  /**
   * A member of the same Hazelcast cluster whose event bus holds another TLS identity: it sees the
   * others' consumers in the cluster's map, but no connection between it and them gets through the
   * handshake, either way.
   */
  @Test
  void a_node_with_other_credentials_neither_receives_nor_is_answered() {
    ClusterNode a = nodeWithBus();
    ClusterNode b = nodeWithBus();
    ClusterNode intruder = cluster.join();
    ClusterBus intruderBus = await(ClusterBus.start(intruder.member(), ClusterSecret.of("another-secret-than-the-cluster's")).up());
    try {
      AtomicInteger toA = new AtomicInteger();
      AtomicInteger toIntruder = new AtomicInteger();
      await(a.bus().deploy(() -> new Echo("to-a", toA)));
      await(intruderBus.deploy(() -> new Echo("to-intruder", toIntruder)));

      assertThat(await(b.bus().<String>request("to-a", "hi", QUICK)).body()).isEqualTo("to-a:hi");
      assertThatThrownBy(() -> await(intruderBus.request("to-a", "hi", QUICK)));
      assertThatThrownBy(() -> await(a.bus().request("to-intruder", "hi", QUICK)));

      assertThat(toA).hasValue(1);
      assertThat(toIntruder).hasValue(0);
    } finally {
      intruderBus.close(10, TimeUnit.SECONDS);
    }
  }

  /**
   * vertx-hazelcast keeps its member for life: a node that joins anew with a new member gets a new
   * clustered Vert.x, its consumers registered again, while its HTTP server (on the node's own
   * Vert.x) answers throughout.
   */
  @Test
  void after_a_rejoin_its_consumers_answer_again_and_its_http_port_never_closes() throws Exception {
    ClusterNode a = nodeWithBus();
    ClusterNode b = nodeWithBus();
    await(a.bus().deploy(() -> new Echo("echo", new AtomicInteger())));
    assertThat(await(b.bus().<String>request("echo", "before", QUICK)).body()).isEqualTo("echo:before");
    HttpServer http = await(a.vertx().createHttpServer().requestHandler(request -> request.response().end("up"))
      .listen(0, "127.0.0.1"));
    WebClient client = WebClient.create(b.vertx());
    var before = a.bus().vertx();

    long rejoinBegan = System.nanoTime();
    CompletableFuture<Void> rejoined = CompletableFuture.runAsync(() -> TestMembers.rejoin(a.member()));
    AtomicInteger httpFailures = new AtomicInteger();
    AtomicInteger httpAnswers = new AtomicInteger();
    while (!rejoined.isDone()) {
      try {
        await(client.get(http.actualPort(), "127.0.0.1", "/").timeout(2_000).send());
        httpAnswers.incrementAndGet();
      } catch (RuntimeException e) {
        httpFailures.incrementAndGet();
      }
      Thread.sleep(50);
    }
    rejoined.get(60, TimeUnit.SECONDS);
    within(Duration.ofSeconds(30), "the echo answers again", () -> {
      try {
        return await(b.bus().<String>request("echo", "after", QUICK)).body().equals("echo:after");
      } catch (RuntimeException e) {
        return false;
      }
    });

    System.out.printf("the echo answered again %d ms after the rejoin began%n",
      TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - rejoinBegan));
    assertThat(a.bus().vertx()).isNotSameAs(before);
    assertThat(httpFailures).hasValue(0);
    assertThat(httpAnswers.get()).isPositive();
    client.close();
  }
}
