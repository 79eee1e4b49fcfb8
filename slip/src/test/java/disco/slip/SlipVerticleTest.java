package disco.slip;

import static disco.registry.TestCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import disco.registry.ClusterNode;
import disco.registry.ServiceEndpoint;
import disco.registry.ServiceIdentity;
import disco.registry.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Slip's HTTP behaviour, on a one-node cluster, driven by a client in the test's own Vert.x. */
@Timeout(60)
class SlipVerticleTest {

  private static final int DELAY_MS = 100;
  private static final TestCluster CLUSTER = new TestCluster();
  private static ClusterNode node;
  private static int port;
  private static Vertx clientVertx;

  @BeforeAll
  static void start() {
    node = CLUSTER.join();
    ServiceIdentity identity = new ServiceIdentity("slip", "slip-test-host", "test", System.currentTimeMillis());
    SlipVerticle slip = new SlipVerticle(new SlipConfig(0, DELAY_MS, false), new ServiceEndpoint(node, identity, "127.0.0.1"));
    await(node.vertx().deployVerticle(slip));
    port = await(node.records()).get(0).getLocation().getInteger("port");
    clientVertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    await(clientVertx.close());
    CLUSTER.close();
  }

  private static HttpClient client(int connections) {
    return clientVertx.createHttpClient(new HttpClientOptions().setDefaultPort(port).setDefaultHost("127.0.0.1"),
      new PoolOptions().setHttp1MaxSize(connections));
  }

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

  private static int status(HttpClient client, HttpMethod method, String path) {
    Future<Integer> status = client.request(method, path).compose(request -> request.send()).map(response -> response.statusCode());
    return await(status);
  }

  @Test
  void answers_its_host_name_no_earlier_than_the_delay() {
    long elapsed = await(timedGet(client(1)));
    assertThat(elapsed).isGreaterThanOrEqualTo(DELAY_MS);
  }

  /** 2000 requests at once: all answered, none early, and in a small multiple of one delay, so never serialised. */
  @Test
  void two_thousand_concurrent_requests_complete_in_about_one_delay() {
    int requests = 2000;
    HttpClient client = client(requests);
    // a first round opens the 2000 connections; the second measures slip, not TCP set-up on 2 cores
    await(Future.all(burst(client, requests)));
    long start = System.nanoTime();
    List<Future<Long>> all = burst(client, requests);
    await(Future.all(all));
    long wallMs = (System.nanoTime() - start) / 1_000_000;

    assertThat(all).allSatisfy(latency -> assertThat(latency.result()).isGreaterThanOrEqualTo(DELAY_MS));
    // serialised, 2000 x 100 ms would take 200 s; the bound leaves room for a busy 2-core machine
    assertThat(wallMs).isLessThan(20L * DELAY_MS);
    await(client.close());
  }

  private static List<Future<Long>> burst(HttpClient client, int requests) {
    List<Future<Long>> all = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      all.add(timedGet(client));
    }
    return all;
  }

  @Test
  void unknown_path_is_404_and_wrong_method_is_405() {
    HttpClient client = client(1);
    assertThat(status(client, HttpMethod.GET, "/nope")).isEqualTo(404);
    assertThat(status(client, HttpMethod.DELETE, "/")).isEqualTo(405);
  }

  /** Garbage instead of HTTP gets a 400 and the server goes on answering. */
  @Test
  void malformed_request_gets_400_and_slip_keeps_serving() {
    NetClient net = clientVertx.createNetClient();
    Buffer reply = await(net.connect(port, "127.0.0.1").compose(socket -> {
      Buffer received = Buffer.buffer();
      io.vertx.core.Promise<Buffer> done = io.vertx.core.Promise.promise();
      socket.handler(received::appendBuffer);
      socket.closeHandler(v -> done.tryComplete(received));
      socket.write("NOT HTTP AT ALL\r\n\r\n");
      return done.future();
    }));
    assertThat(reply.toString()).matches("(?s)HTTP/1\\.[01] 400 .*");
    assertThat(await(timedGet(client(1)))).isGreaterThanOrEqualTo(DELAY_MS);
  }

  @Test
  void health_and_cluster_view_report_the_published_record() {
    HttpClient client = client(1);
    assertThat(status(client, HttpMethod.GET, "/health/ready")).isEqualTo(200);
    assertThat(status(client, HttpMethod.GET, "/health/live")).isEqualTo(200);
    io.vertx.core.json.JsonObject view = await(client.request(HttpMethod.GET, "/cluster").compose(r -> r.send())
      .compose(r -> r.body()).map(Buffer::toJsonObject));
    assertThat(view.getString("nodeId")).isEqualTo(node.nodeId());
    assertThat(view.getJsonArray("members")).hasSize(1);
    assertThat(view.getJsonArray("records").getJsonObject(0).getJsonObject("metadata").getString("hostname"))
      .isEqualTo("slip-test-host");
  }
}
