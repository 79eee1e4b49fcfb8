package disco.poule;

import static disco.registry.TestCluster.await;
import static disco.registry.TestCluster.until;
import static disco.registry.TestCluster.within;
import static org.assertj.core.api.Assertions.assertThat;

import disco.registry.ClusterNode;
import disco.registry.ServiceEndpoint;
import disco.registry.ServiceIdentity;
import disco.registry.TestCluster;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.Status;
import io.vertx.servicediscovery.types.HttpEndpoint;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The dashboard as a person sees it: a real headless Chromium loads the page and renders the live stream. */
@Timeout(120)
class DashboardIT {

  @Test
  void dashboard_shows_who_answers_the_cluster_members_and_rejected_records() throws Exception {
    assertThat(Path.of(HeadlessChromium.BINARY)).as("Chromium drives this test: apt-get install chromium (./disco test does)").exists();
    try (TestCluster cluster = new TestCluster()) {
      ClusterNode node = cluster.join();
      ServiceIdentity identity = new ServiceIdentity("poule", "poule-ui", "test", System.currentTimeMillis());
      ServiceEndpoint endpoint = new ServiceEndpoint(node, identity, "127.0.0.1");
      await(node.vertx().deployVerticle(new PouleVerticle(new PouleConfig(0, 10, 1_000, "slip"), node, endpoint)));
      FakeSlip first = new FakeSlip(cluster, "slip-alpha", 50);
      FakeSlip second = new FakeSlip(cluster, "slip-beta", 50);
      within(Duration.ofSeconds(5), "both slips called", () -> first.served.get() > 0 && second.served.get() > 0);

      try (HeadlessChromium browser = HeadlessChromium.open("http://127.0.0.1:" + endpoint.port() + "/")) {
        String dom = until(Duration.ofSeconds(20), "the dashboard rendering both hosts from the live stream", () -> {
          String html = browser.html();
          boolean live = html.contains("id=\"conn\">live<");
          return live && html.contains("<td>slip-alpha</td>") && html.contains("<td>slip-beta</td>") ? html : null;
        });

        assertThat(dom).contains("in rotation", "data member", "(this poule)");
        assertThat(dom).contains("id=\"inFlight\">10<", "id=\"errors\">0<");
        assertThat(dom).contains("id=\"banner\" style=\"display: none;\"");
        browser.screenshot(Path.of("target", "dashboard.png"));

        // an entry written by someone without the cluster secret: listed as rejected, never called
        Record forged = HttpEndpoint.createRecord("slip", "10.66.0.9", 8080, "/", new JsonObject().put("nodeId", node.nodeId()))
          .setRegistration("forged-entry").setStatus(Status.UP);
        TestCluster.putRaw(node, "forged-entry", forged.toJson().encode());
        String withRejected = until(Duration.ofSeconds(10), "the dashboard listing the forged entry as rejected", () -> {
          String html = browser.html();
          return html.contains("<td>forged-entry</td>") ? html : null;
        });
        assertThat(withRejected).contains("id=\"rejectedBlock\" style=\"display: block;\"", "<td>no signature</td>")
          .doesNotContain("<td>10.66.0.9:8080</td>");
      }
    }
  }

}
