package disco.slip;

import static disco.registry.TestCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import disco.registry.ClusterNode;
import disco.registry.ServiceEndpoint;
import disco.registry.records.ServiceIdentity;
import disco.registry.TestCluster;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The broken release (SLIP_FAULT=unready): it serves but never becomes ready, so nobody is sent to it. */
@Timeout(60)
class UnreadySlipTest {

  @Test
  void unready_slip_fails_its_health_check_and_publishes_no_record() {
    try (TestCluster cluster = new TestCluster()) {
      ClusterNode node = cluster.join();
      ServiceIdentity identity = new ServiceIdentity("slip", "broken", "0.0.3", 1L);
      ServiceEndpoint endpoint = new ServiceEndpoint(node, identity, "127.0.0.1");
      await(node.startBus());
    await(node.vertx().deployVerticle(new SlipVerticle(new SlipConfig(0, 1, true), endpoint, node.bus(), node.metrics().registry())));
      int port = endpoint.port();
      WebClient client = WebClient.create(node.vertx());

      assertThat(await(client.get(port, "127.0.0.1", "/health/ready").send()).statusCode()).isEqualTo(503);
      assertThat(await(client.get(port, "127.0.0.1", "/health").send()).statusCode()).isEqualTo(503);
      assertThat(await(client.get(port, "127.0.0.1", "/health/live").send()).statusCode()).isEqualTo(200);
      // held until here: Vert.x closes a client the GC finds unreferenced, requests under way too
      client.close();
      assertThat(node.records()).isEmpty();
    }
  }
}
