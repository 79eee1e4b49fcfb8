package disco.registry.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import disco.registry.ClusterNode;
import disco.registry.TestCluster;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What every node serves on /metrics, and that it follows Prometheus's naming conventions. */
class NodeMetricsTest {

  @Test
  void a_node_reports_vertx_jvm_process_and_cluster_meters_under_prometheus_names() {
    try (TestCluster cluster = new TestCluster()) {
      ClusterNode node = cluster.join();
      String text = node.metrics().scrape();

      assertThat(text).contains("disco_cluster_members{role=\"data\"} 1.0", "disco_cluster_members{role=\"lite\"} 0.0",
        "# TYPE disco_records_swept_total counter", "# TYPE disco_record_republishes_total counter",
        "# TYPE disco_cluster_merges_total counter", "disco_records_rejected 0.0",
        "jvm_memory_used_bytes{", "jvm_gc_", "process_cpu_usage", "process_uptime_seconds",
        "process_files_open_files", "# TYPE process_resident_memory_bytes gauge", "vertx_");
      List<String> types = text.lines().filter(line -> line.startsWith("# TYPE ")).toList();
      assertThat(types).isNotEmpty().allSatisfy(line -> {
        String[] parts = line.split(" ");
        assertThat(parts[2]).matches("[a-z_][a-z0-9_]*");
        if (parts[3].equals("counter")) {
          assertThat(parts[2]).endsWith("_total");
        }
      });
      double rss = text.lines().filter(line -> line.startsWith("process_resident_memory_bytes "))
        .mapToDouble(line -> Double.parseDouble(line.split(" ")[1])).findFirst().orElseThrow();
      // a JVM with Hazelcast and Vert.x: tens of MiB at least, and not an absurd figure
      assertThat(rss).isBetween(20.0 * 1024 * 1024, 4096.0 * 1024 * 1024);
    }
  }

  /** The multi-node e2e reads these lines, in this form, to judge the operations that timed out. */
  @Test
  void operations_that_gave_up_waiting_are_counted_by_kind() {
    NodeMetrics metrics = new NodeMetrics();
    metrics.operationTimedOut("read-part");
    metrics.operationTimedOut("read-part");
    metrics.operationTimedOut("write");

    assertThat(metrics.scrape()).contains("# TYPE disco_cluster_operation_timeouts_total counter",
      "disco_cluster_operation_timeouts_total{operation=\"read-part\"} 2.0",
      "disco_cluster_operation_timeouts_total{operation=\"write\"} 1.0");
  }
}
