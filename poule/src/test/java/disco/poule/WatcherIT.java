package disco.poule;

import static org.assertj.core.api.Assertions.assertThat;

import disco.registry.Http;
import disco.registry.JavaProcess;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * registry.jar, the watcher a user runs to follow the cluster: one line per membership and record
 * change, and its metrics on an HTTP port of its own.
 */
@Timeout(120)
class WatcherIT {

  @Test
  void watcher_prints_members_and_records_as_they_come_and_go_and_leaves_on_ctrl_c() throws Exception {
    String cluster = "watch-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> env = Map.of("CLUSTER_NAME", cluster, "HTTP_PORT", "0", "HOSTNAME", "slip-watched");
    try (JavaProcess slip = JavaProcess.start(JavaProcess.jar("slip"), env, JavaProcess.logFile(cluster + "-slip"))) {
      slip.awaitLog("ready on (port) \\d+", Duration.ofSeconds(60));
      try (JavaProcess watcher = JavaProcess.start(JavaProcess.jar("registry"), Map.of("CLUSTER_NAME", cluster,
        "HTTP_PORT", "0"), JavaProcess.logFile(cluster + "-watcher"))) {
        watcher.awaitLog("record (published): slip slip-watched at 127\\.0\\.0\\.1:\\d+", Duration.ofSeconds(60));
        int port = Integer.parseInt(watcher.awaitLog("watcher \\S+ ready on port (\\d+)", Duration.ofSeconds(30)));
        // ready with no record of its own: the image's health check asks /health
        assertThat(Http.json("http://127.0.0.1:" + port + "/health").getString("status")).isEqualTo("UP");
        String metrics = Http.get("http://127.0.0.1:" + port + "/metrics");
        assertThat(metrics).contains("disco_cluster_members{role=\"lite\"} 1.0", "disco_cluster_members{role=\"data\"} 1.0",
          "disco_records{service=\"slip\"} 1.0");
        assertThat(watcher.output()).containsPattern("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} member 127\\.0\\.0\\.1:\\d+ .*\\(lite\\) \\(this watcher\\)");

        slip.terminate();
        watcher.awaitLog("record (removed): +slip slip-watched", Duration.ofSeconds(15));
        watcher.awaitLog("Member (left) 127\\.0\\.0\\.1:\\d+", Duration.ofSeconds(15));

        watcher.interrupt();
        assertThat(watcher.waitForExit(30)).isIn(0, 130);
        assertThat(watcher.output()).contains("Left the cluster");
      }
    }
  }
}
