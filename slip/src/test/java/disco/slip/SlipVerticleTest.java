package disco.slip;

import static disco.registry.TestCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import disco.registry.ClusterNode;
import disco.registry.ServiceEndpoint;
import disco.registry.records.ServiceIdentity;
import disco.registry.records.ServiceInstance;
import disco.registry.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Slip's HTTP behaviour, on a one-node cluster, driven by a client in the Vert.x the extension injects. */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class SlipVerticleTest {

  private static final int DELAY_MS = 100;
  private static final TestCluster CLUSTER = new TestCluster();
  private static ClusterNode node;
  private static int port;

  @BeforeAll
  static void start() {
    node = CLUSTER.join();
    ServiceIdentity identity = new ServiceIdentity("slip", "slip-test-host", "test", System.currentTimeMillis());
    ServiceEndpoint endpoint = new ServiceEndpoint(node, identity, "127.0.0.1");
    await(node.startBus());
    await(node.vertx().deployVerticle(new SlipVerticle(new SlipConfig(0, DELAY_MS, false), endpoint, node.bus(), node.metrics().registry())));
    port = endpoint.port();
  }

  /** What a caller on another node does: the instance from the records, then a request to the address it names. */
  @Test
  void answers_on_the_event_bus_at_the_address_its_record_names_after_the_delay() {
    ClusterNode caller = CLUSTER.join();
    try {
      await(caller.startBus());
      await(caller.liveRecordsOnceRead());
      ServiceInstance slip = caller.liveInstances("slip").stream().findFirst().orElseThrow();

      long start = System.nanoTime();
      Message<String> answer = await(caller.bus().request(slip.eventBusAddress(), null, new DeliveryOptions()));
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;

      assertThat(answer.body()).isEqualTo("slip-test-host");
      assertThat(elapsedMs).isGreaterThanOrEqualTo(DELAY_MS);
    } finally {
      // the other tests see a cluster of this slip alone
      caller.close(10, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stop() {
    CLUSTER.close();
  }

  /**
   * Vert.x closes a client that is no longer referenced when the GC collects it: a client held only
   * by a test method that returned had its queued requests fail with "Client is closed".
   */
  private final List<HttpClient> clients = new ArrayList<>();

  @AfterEach
  void closeClients() {
    clients.forEach(HttpClient::close);
  }

  private HttpClient client(Vertx vertx, int connections) {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultPort(port).setDefaultHost("127.0.0.1"),
      new PoolOptions().setHttp1MaxSize(connections));
    clients.add(client);
    return client;
  }

  /** GET / checked for status, type and body; yields the latency in ms. */
  private static Future<Long> timedGet(HttpClient client) {
    long start = System.nanoTime();
    return client.request(HttpMethod.GET, "/")
      .compose(request -> request.send())
      .compose(response -> {
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.getHeader("content-type")).startsWith("text/plain");
        return response.body();
      })
      .map(body -> {
        assertThat(body.toString()).isEqualTo("slip-test-host");
        return (System.nanoTime() - start) / 1_000_000;
      });
  }

  private static List<Future<Long>> burst(HttpClient client, int requests) {
    List<Future<Long>> all = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      all.add(timedGet(client));
    }
    return all;
  }

  private static Future<Integer> status(HttpClient client, HttpMethod method, String path) {
    return client.request(method, path).compose(request -> request.send()).map(response -> response.statusCode());
  }

  @Test
  void answers_its_host_name_no_earlier_than_the_delay(Vertx vertx, VertxTestContext ctx) {
    timedGet(client(vertx, 1)).onComplete(ctx.succeeding(elapsed -> ctx.verify(() -> {
      assertThat(elapsed).isGreaterThanOrEqualTo(DELAY_MS);
      ctx.completeNow();
    })));
  }

  /** Load test: 2000 requests at once, all answered, none early, in a small multiple of one delay: never serialised. */
  @Test
  void two_thousand_concurrent_requests_complete_in_about_one_delay(Vertx vertx, VertxTestContext ctx) {
    int requests = 2000;
    HttpClient client = client(vertx, requests);
    long[] start = new long[1];
    List<Future<Long>> measured = new ArrayList<>();
    // a first round opens the 2000 connections; the second measures slip, not TCP set-up on 2 cores
    Future.all(burst(client, requests))
      .compose(warm -> {
        start[0] = System.nanoTime();
        measured.addAll(burst(client, requests));
        return Future.all(measured);
      })
      .onComplete(ctx.succeeding(done -> ctx.verify(() -> {
        long wallMs = (System.nanoTime() - start[0]) / 1_000_000;
        assertThat(measured).allSatisfy(latency -> assertThat(latency.result()).isGreaterThanOrEqualTo(DELAY_MS));
        // serialised, 2000 x 100 ms would take 200 s; the bound leaves room for a busy 2-core machine
        assertThat(wallMs).isLessThan(20L * DELAY_MS);
        ctx.completeNow();
      })));
  }

  @Test
  void unknown_path_is_404_and_wrong_method_is_405(Vertx vertx, VertxTestContext ctx) {
    HttpClient client = client(vertx, 1);
    Future.all(status(client, HttpMethod.GET, "/nope"), status(client, HttpMethod.DELETE, "/"))
      .onComplete(ctx.succeeding(codes -> ctx.verify(() -> {
        assertThat(codes.<Integer>resultAt(0)).isEqualTo(404);
        assertThat(codes.<Integer>resultAt(1)).isEqualTo(405);
        ctx.completeNow();
      })));
  }

  /**
   * Garbage instead of HTTP gets a 400, or its connection closed when Vert.x reports the failure as
   * a connection error (it does so for some first requests); either way the server goes on answering.
   */
  @Test
  void malformed_request_is_refused_and_slip_keeps_serving(Vertx vertx, VertxTestContext ctx) {
    vertx.createNetClient().connect(port, "127.0.0.1")
      .compose(socket -> {
        Buffer received = Buffer.buffer();
        Promise<Buffer> closed = Promise.promise();
        socket.handler(received::appendBuffer);
        // the end of the stream, once every byte before it was handed over (a close may come first)
        socket.endHandler(v -> closed.tryComplete(received));
        socket.write("NOT HTTP AT ALL\r\n\r\n");
        return closed.future();
      })
      .compose(reply -> {
        ctx.verify(() -> assertThat(reply.toString()).matches("(?s)(HTTP/1\\.[01] 400 .*)?"));
        return timedGet(client(vertx, 1));
      })
      .onComplete(ctx.succeeding(elapsed -> ctx.verify(() -> {
        assertThat(elapsed).isGreaterThanOrEqualTo(DELAY_MS);
        ctx.completeNow();
      })));
  }

  @Test
  void health_and_cluster_view_report_the_published_record(Vertx vertx, VertxTestContext ctx) {
    HttpClient client = client(vertx, 1);
    Future<JsonObject> view = client.request(HttpMethod.GET, "/cluster").compose(request -> request.send())
      .compose(response -> response.body()).map(Buffer::toJsonObject);
    Future.all(status(client, HttpMethod.GET, "/health/ready"), status(client, HttpMethod.GET, "/health/live"), view)
      .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
        assertThat(all.<Integer>resultAt(0)).isEqualTo(200);
        assertThat(all.<Integer>resultAt(1)).isEqualTo(200);
        JsonObject cluster = all.resultAt(2);
        assertThat(cluster.getString("nodeId")).isEqualTo(node.nodeId());
        assertThat(cluster.getJsonArray("members")).hasSize(1);
        assertThat(cluster.getJsonArray("records").getJsonObject(0).getJsonObject("metadata").getString("hostname"))
          .isEqualTo("slip-test-host");
        ctx.completeNow();
      })));
  }
}
