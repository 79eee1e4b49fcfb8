package disco.registry;

import static disco.registry.TestCluster.await;
import static disco.registry.TestCluster.within;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import disco.registry.config.ClusterConfig;
import disco.registry.security.ClusterSecret;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Only holders of the cluster secret join, and only records they signed are listed. Nodes share one JVM here. */
@Timeout(90)
class ClosedClusterTest {

  private final TestCluster cluster = new TestCluster();
  private HazelcastInstance client;

  @AfterEach
  void close() {
    if (client != null) {
      client.shutdown();
    }
    cluster.close();
  }

  /** Same CLUSTER_NAME, same ports, another secret: another cluster, through every merge check. */
  @Test
  void a_node_with_the_right_name_but_another_secret_stays_alone() throws InterruptedException {
    ClusterNode a = cluster.join();
    ClusterNode stranger = cluster.join(ClusterConfig.loopback(cluster.name()), ClusterSecret.of("not-the-cluster-secret-at-all"));
    ClusterNode b = cluster.join();
    within(Duration.ofSeconds(15), "b joined a", () -> a.liveMemberIds().size() == 2);

    // three split-brain checks (HazelcastSettings.MERGE_DELAY) and more: time enough to merge, were it allowed
    long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
    while (System.nanoTime() < end) {
      assertThat(stranger.liveMemberIds()).containsExactly(stranger.nodeId());
      assertThat(a.liveMemberIds()).containsExactlyInAnyOrder(a.nodeId(), b.nodeId());
      Thread.sleep(200);
    }
  }

  /**
   * A raw Hazelcast client that learned the cluster's name writes well-formed records: unsigned, a
   * signed one replayed with another address, a signed one copied under another key, and garbage.
   * None is ever listed; each is reported as rejected; the replayed slip's own record comes back.
   */
  @Test
  void records_written_without_the_secret_are_rejected_and_never_listed() {
    ClusterNode a = cluster.join();
    OwnRecord own = new OwnRecord(a, new ServiceIdentity("slip", "slip-a", "test", 1L), "127.0.0.1");
    await(own.publish(1001));
    List<ServiceInstance> listed = new CopyOnWriteArrayList<>();
    ServiceDirectory directory = new ServiceDirectory(a, "slip"::equals, new ServiceDirectory.Listener() {
      @Override
      public void added(ServiceInstance instance) {
        listed.add(instance);
      }

      @Override
      public void removed(ServiceInstance instance) {
      }
    });
    a.vertx().runOnContext(v -> directory.start());
    within(Duration.ofSeconds(5), "own record listed", () -> listed.size() == 1);

    IMap<String, String> map = rawClient(a).getMap(RecordStore.MAP);
    String signed = map.get(own.registration());
    Record unsigned = ServiceInstance.record("forged-unsigned", new ServiceIdentity("slip", "evil", "x", 1L), "10.66.0.1", 8080, a.nodeId());
    map.put("forged-unsigned", unsigned.toJson().encode());
    map.put("copied-under-another-key", signed);
    map.put("garbage", "{not a record");
    Record replayed = new Record(new JsonObject(signed));
    replayed.getLocation().put("host", "10.66.0.2");
    map.put(own.registration(), replayed.toJson().encode());

    within(Duration.ofSeconds(5), "the three lasting forgeries reported", () -> reasons(a).keySet()
      .containsAll(List.of("forged-unsigned", "copied-under-another-key", "garbage")));
    assertThat(reasons(a)).containsEntry("forged-unsigned", ClusterSecret.Verdict.UNSIGNED.reason())
      .containsEntry("copied-under-another-key", "stored under a key that is not its registration")
      .containsKey("garbage");
    // the owner finds its record changed on its next check and writes it again, signed
    within(Duration.ofSeconds(2 * OwnRecord.CHECK_PERIOD_MS / 1_000 + 3), "own record restored",
      () -> signed.equals(map.get(own.registration())) && !reasons(a).containsKey(own.registration()));
    assertThat(listed).extracting(ServiceInstance::host).containsOnly("127.0.0.1");
    assertThat(a.records()).extracting(Record::getRegistration).containsExactly(own.registration());
  }

  private static Map<String, String> reasons(ClusterNode node) {
    JsonArray rejected = node.rejectedRecords();
    return rejected.stream().map(JsonObject.class::cast)
      .collect(Collectors.toMap(entry -> entry.getString("key"), entry -> entry.getString("reason")));
  }

  private HazelcastInstance rawClient(ClusterNode member) {
    ClientConfig config = new ClientConfig();
    config.setClusterName(member.hazelcast().getConfig().getClusterName());
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    com.hazelcast.cluster.Address address = member.hazelcast().getCluster().getLocalMember().getAddress();
    config.getNetworkConfig().addAddress(address.getHost() + ":" + address.getPort());
    client = HazelcastClient.newHazelcastClient(config);
    return client;
  }
}
