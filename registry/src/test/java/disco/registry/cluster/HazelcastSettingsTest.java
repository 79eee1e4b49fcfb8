package disco.registry.cluster;

import static disco.registry.TestCluster.hazelcastNode;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.spi.properties.ClusterProperty;
import com.hazelcast.spi.properties.HazelcastProperties;
import disco.registry.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The settings as the running member reads them: Hazelcast takes its properties by name and ignores
 * a name it does not know, so a setting is checked through Hazelcast's own reading of it. How much
 * each one saves is measured in docs/BENCHMARKS.md, not here.
 */
class HazelcastSettingsTest {

  private final TestCluster cluster = new TestCluster();

  @AfterEach
  void close() {
    cluster.close();
  }

  @Test
  void a_joining_member_starts_without_waiting_to_be_connected_to_every_member() {
    HazelcastProperties read = hazelcastNode(cluster.join()).getProperties();
    assertThat(read.getSeconds(ClusterProperty.CONNECT_ALL_WAIT_SECONDS)).isZero();
  }

  @Test
  void failure_detection_and_operations_use_the_platform_s_bounds_not_hazelcast_s_defaults() {
    HazelcastProperties read = hazelcastNode(cluster.join()).getProperties();
    assertThat(read.getSeconds(ClusterProperty.MAX_NO_HEARTBEAT_SECONDS)).isEqualTo(HazelcastSettings.MAX_NO_HEARTBEAT);
    assertThat(read.getMillis(ClusterProperty.OPERATION_CALL_TIMEOUT_MILLIS)).isEqualTo(HazelcastSettings.OPERATION_TIMEOUT_MS);
    assertThat(read.getInteger(ClusterProperty.PARTITION_COUNT)).isEqualTo(HazelcastSettings.PARTITIONS);
    assertThat(read.getSeconds(ClusterProperty.PARTITION_MIGRATION_TIMEOUT)).isEqualTo(HazelcastSettings.MIGRATION_TIMEOUT);
  }

  /** A write to the records or to vertx-hazelcast's consumers never waits on another member's backup. */
  @Test
  void the_records_and_the_event_bus_s_structures_keep_only_asynchronous_backups() {
    Config config = cluster.join().member().hazelcast().getConfig();
    assertThat(config.getMapConfig(HazelcastSettings.RECORDS_MAP).getBackupCount()).isZero();
    assertThat(config.getMultiMapConfig(HazelcastSettings.VERTX_SUBSCRIPTIONS).getBackupCount()).isZero();
    assertThat(config.getMultiMapConfig(HazelcastSettings.VERTX_SUBSCRIPTIONS).getAsyncBackupCount()).isEqualTo(2);
    assertThat(config.getMapConfig(HazelcastSettings.VERTX_NODE_INFO).getBackupCount()).isZero();
    assertThat(config.getMapConfig(HazelcastSettings.VERTX_HA_INFO).getBackupCount()).isZero();
  }

  /** What vertx-hazelcast requires of a member it is given: a Vert.x node id, a new one per member. */
  @Test
  void every_member_carries_a_vertx_node_id_of_its_own() {
    String first = cluster.join().member().hazelcast().getCluster().getLocalMember().getAttribute(HazelcastSettings.VERTX_NODE_ID);
    String second = cluster.join().member().hazelcast().getCluster().getLocalMember().getAttribute(HazelcastSettings.VERTX_NODE_ID);
    assertThat(first).isNotBlank().isNotEqualTo(second);
  }
}
