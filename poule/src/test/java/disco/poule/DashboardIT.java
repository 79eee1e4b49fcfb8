package disco.poule;

import static disco.registry.TestCluster.await;
import static disco.registry.TestCluster.until;
import static disco.registry.TestCluster.within;
import static org.assertj.core.api.Assertions.assertThat;

import disco.registry.ClusterNode;
import disco.registry.Http;
import disco.registry.ServiceEndpoint;
import disco.registry.records.ServiceIdentity;
import disco.registry.TestCluster;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.Status;
import io.vertx.servicediscovery.types.HttpEndpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
      await(node.vertx().deployVerticle(new PouleVerticle(new PouleConfig(0, 10, 1_000, "slip", PouleConfig.Transport.HTTP), node, endpoint)));
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

  /**
   * Time and change on the page: calls per second per host as lines, a new slip starting its line, a
   * killed one ending its line, both in the timeline, slips grouped by swarm node; read from the
   * page's DOM. A browser that comes back gets the lines again. Screenshots at 1400 x 900 before and
   * after go to target/ (docs/dashboard.png is one of them).
   */
  @Test
  void dashboard_draws_a_line_per_host_and_a_timeline_that_follow_a_new_and_a_killed_slip() throws Exception {
    assertThat(Path.of(HeadlessChromium.BINARY)).as("Chromium drives this test: apt-get install chromium (./disco test does)").exists();
    try (TestCluster cluster = new TestCluster()) {
      ClusterNode node = cluster.join();
      ServiceIdentity identity = new ServiceIdentity("poule", "poule-ui", "0.0.2", System.currentTimeMillis(), "node-1");
      ServiceEndpoint endpoint = new ServiceEndpoint(node, identity, "127.0.0.1");
      await(node.vertx().deployVerticle(new PouleVerticle(new PouleConfig(0, 10, 1_000, "slip", PouleConfig.Transport.HTTP), node, endpoint)));
      FakeSlip alpha = new FakeSlip(cluster, "slip-alpha", 100, "0.0.1", "node-1");
      FakeSlip beta = new FakeSlip(cluster, "slip-beta", 100, "0.0.1", "node-2");
      within(Duration.ofSeconds(5), "both slips called", () -> alpha.served.get() > 0 && beta.served.get() > 0);
      String page = "http://127.0.0.1:" + endpoint.port() + "/";

      try (HeadlessChromium browser = HeadlessChromium.open(page)) {
        within(Duration.ofSeconds(20), "a live line for each slip", () ->
          "live".equals(lineState(browser, "slip-alpha")) && "live".equals(lineState(browser, "slip-beta")));
        // a few seconds of history on the chart before the changes
        Thread.sleep(6_000);
        assertThat(browser.evaluate("document.querySelector('#chart canvas') !== null")).isEqualTo("true");
        assertThat(browser.evaluate("document.querySelector('.node[data-node=\"node-2\"]').textContent"))
          .contains("slip-beta");
        browser.screenshot(Path.of("target", "dashboard-before.png"));

        FakeSlip gamma = new FakeSlip(cluster, "slip-gamma", 100, "0.0.2", "node-3");
        beta.crash();
        within(Duration.ofSeconds(20), "the new slip's line starts, the killed slip's line ends", () ->
          "live".equals(lineState(browser, "slip-gamma")) && "ended".equals(lineState(browser, "slip-beta")));
        within(Duration.ofSeconds(10), "both events in the timeline", () ->
          !events(browser, "record-published", "slip-gamma").isEmpty()
            && !events(browser, "member-left", "slip-beta").isEmpty()
            && !events(browser, "record-swept", "slip-beta").isEmpty());
        assertThat(browser.evaluate("document.querySelector('#lines li[data-host=\"slip-gamma\"]').textContent"))
          .contains("0.0.2", "node-3");
        assertThat(browser.evaluate("document.querySelector('.node[data-node=\"node-3\"]').textContent"))
          .contains("slip-gamma");
        assertThat(browser.evaluate("document.querySelector('.node[data-node=\"node-2\"]')")).isEmpty();
        // a few seconds of the new line
        Thread.sleep(5_000);
        browser.screenshot(Path.of("target", "dashboard-after.png"));

        // a browser that comes back is given the last minutes again: the ended line is still drawn
        browser.reload();
        within(Duration.ofSeconds(20), "the lines drawn again after a reload", () ->
          "ended".equals(lineState(browser, "slip-beta")) && "live".equals(lineState(browser, "slip-gamma")));
        assertThat(events(browser, "record-published", "slip-gamma")).isNotEmpty();
        assertThat(gamma.served.get()).isPositive();
      }
    }
  }

  /** The page, its script, its style and a first snapshot weigh under 200 KB, all from poule: no CDN. */
  @Test
  void dashboard_loads_under_200_kb_from_poule_alone() throws Exception {
    try (TestCluster cluster = new TestCluster()) {
      ClusterNode node = cluster.join();
      ServiceEndpoint endpoint = new ServiceEndpoint(node, new ServiceIdentity("poule", "poule-ui", "test",
        System.currentTimeMillis()), "127.0.0.1");
      await(node.vertx().deployVerticle(new PouleVerticle(new PouleConfig(0, 10, 1_000, "slip", PouleConfig.Transport.HTTP), node, endpoint)));
      String base = "http://127.0.0.1:" + endpoint.port() + "/";
      String html = Http.get(base);
      assertThat(html).doesNotContain("http://", "https://", "//cdn");
      long bytes = html.length();
      for (String asset : List.of("lib/uplot/uPlot.iife.min.js", "lib/uplot/uPlot.min.css", "api/stats")) {
        assertThat(html.contains(asset) || asset.startsWith("api/")).as(asset + " referenced by the page").isTrue();
        bytes += Http.get(base + asset).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      }
      assertThat(bytes).isLessThan(200_000);
    }
  }

  private static String lineState(HeadlessChromium browser, String host) {
    return browser.evaluate("document.querySelector('#lines li[data-host=\"" + host + "\"]')?.dataset.state");
  }

  /** The timeline's entries of one kind about one host, as the page shows them. */
  private static String events(HeadlessChromium browser, String kind, String host) {
    return browser.evaluate("[...document.querySelectorAll('#timeline li[data-kind=\"" + kind + "\"][data-host=\""
      + host + "\"]')].map(li => li.textContent).join('\\n')");
  }
}
