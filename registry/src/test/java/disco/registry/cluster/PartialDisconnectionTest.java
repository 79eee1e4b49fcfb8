package disco.registry.cluster;

import static disco.registry.TestCluster.await;
import static disco.registry.TestCluster.hazelcastNode;
import static disco.registry.TestCluster.owners;
import static disco.registry.TestCluster.within;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.Member;
import com.hazelcast.instance.EndpointQualifier;
import com.hazelcast.internal.nio.ConnectionListener;
import com.hazelcast.internal.server.ServerConnection;
import com.hazelcast.internal.server.ServerConnectionManager;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import disco.registry.config.ClusterConfig;
import disco.registry.records.RecordTasks;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import disco.registry.ClusterNode;
import disco.registry.TestCluster;
import disco.registry.records.RecordTasks;
import disco.registry.records.ServiceIdentity;

/**
 * A member in the cluster that cannot reach the partition holding its own record: after a heal, the
 * overlay may carry a cut-off node's traffic to the tasks started during the cut later than the
 * rest, and its slips, back in the cluster, cannot write their records meanwhile. Here one member
 * closes every connection to the one that owns its record's partition, while both still hear the
 * master.
 */
@Timeout(90)
class PartialDisconnectionTest {

  private static final Logger LOG = LoggerFactory.getLogger(PartialDisconnectionTest.class);
  /** A record write's timeout in RecordStore: a partition that takes no write within it refuses the platform's. */
  private static final long WRITE_TIMEOUT_MS = 3_000;

  private final TestCluster cluster = new TestCluster();

  @AfterEach
  void close() {
    cluster.close();
  }

  /** From now on the current Hazelcast member of {@code on} closes every connection to {@code peer}. */
  private static void cut(ClusterNode on, ClusterNode peer) {
    Address peerAddress = hazelcastNode(peer).getThisAddress();
    cut(on, peerAddress::equals, new AtomicBoolean(true));
  }

  /**
   * While {@code apart} holds, the current Hazelcast member of {@code on} closes every connection to
   * an address {@code cutOff} accepts, as the overlay leaves a cut-off node unable to reach the tasks
   * started during the cut for a while after the heal.
   */
  private static void cut(ClusterNode on, Predicate<Address> cutOff, AtomicBoolean apart) {
    ServerConnectionManager connections = hazelcastNode(on).getServer().getConnectionManager(EndpointQualifier.MEMBER);
    connections.addConnectionListener(new ConnectionListener<>() {
      @Override
      public void connectionAdded(ServerConnection connection) {
        if (apart.get() && cutOff.test(connection.getRemoteAddress())) {
          connection.close("cut apart by the test", null);
        }
      }

      @Override
      public void connectionRemoved(ServerConnection connection) {
      }
    });
    connections.getConnections().stream()
      .filter(connection -> cutOff.test(connection.getRemoteAddress()))
      .forEach(connection -> connection.close("cut apart by the test", null));
  }

  /** A registration whose key lies in a partition that {@code owner} holds, as {@code node} sees it. */
  private static String registrationHeldBy(ClusterNode node, ClusterNode owner) {
    UUID ownerId = UUID.fromString(owner.nodeId());
    while (true) {
      String registration = UUID.randomUUID().toString();
      Member holder = node.member().hazelcast().getPartitionService().getPartition(registration).getOwner();
      if (holder != null && holder.getUuid().equals(ownerId)) {
        return registration;
      }
    }
  }

  @Test
  void member_that_cannot_reach_its_own_record_joins_anew_and_writes_it_again() {
    ClusterNode master = cluster.join();
    ClusterNode b = cluster.join();
    ClusterNode c = cluster.join();
    within(Duration.ofSeconds(10), "one cluster of 3", () -> master.liveMemberIds().size() == 3);
    TestCluster.publish(b, "b", 1001, registrationHeldBy(b, c));
    String formerId = b.nodeId();
    within(Duration.ofSeconds(5), "b's record in the master's copy", () -> owners(master).contains(formerId));

    cut(b, c);

    within(Duration.ofSeconds(45), "b back as a new member, its record under the new id in every copy", () ->
      !b.nodeId().equals(formerId)
        && master.liveMemberIds().equals(Set.of(master.nodeId(), b.nodeId(), c.nodeId()))
        && owners(master).contains(b.nodeId()) && owners(c).contains(b.nodeId()));
    assertThat(owners(master)).as("no record left under b's former id").doesNotContain(formerId);
  }

  /**
   * Hazelcast's message that moves a partition to a member its holder cannot connect to is lost, and
   * the partition refuses every write until the migration's timeout runs out: 300 s by default, long
   * after the two can connect.
   */
  @Test
  void partition_migrating_towards_a_member_its_holder_could_not_reach_takes_writes_soon_after_they_connect() {
    ClusterNode master = cluster.join();
    ClusterNode b = cluster.join();
    within(Duration.ofSeconds(10), "one cluster of 2", () -> master.liveMemberIds().size() == 2);
    List<String> keys = onePerPartition(master);
    Address masterAddress = hazelcastNode(master).getThisAddress();
    AtomicBoolean apart = new AtomicBoolean(true);
    cut(b, address -> !address.equals(masterAddress), apart);

    // a bare member with the platform's settings: a node's start subscribes to the map's events on
    // every member, and b would refuse it
    HazelcastInstance joiner = dataMember();
    try {
      within(Duration.ofSeconds(10), "the joiner in the cluster", () -> master.liveMemberIds().size() == 3);
      within(Duration.ofSeconds(20), "a partition migrating from b to the joiner, refusing writes",
        () -> refusingWrites(master, keys) > 0);
      apart.set(false);

      Duration back = within(Duration.ofSeconds(45), "every partition taking writes",
        () -> refusingWrites(master, keys) == 0);
      assertThat(master.liveMemberIds()).as("the joiner still a member").hasSize(3);
      LOG.info("every partition took writes again {} ms after b could reach the joiner", back.toMillis());
    } finally {
      joiner.getLifecycleService().terminate();
    }
  }

  private HazelcastInstance dataMember() {
    ClusterConfig config = ClusterConfig.loopback(cluster.name());
    DnsMemberDiscovery discovery = DnsMemberDiscovery.of(config, new MembershipHistory());
    Config settings = HazelcastSettings.build(config, TestCluster.SECRET.clusterName(config.name()), discovery,
      RecordTasks.serializers());
    return ProbingJoiner.newMember(settings, discovery, List.of());
  }

  /** A key of the probe map in each partition. */
  private static List<String> onePerPartition(ClusterNode node) {
    Map<Integer, String> keys = new HashMap<>();
    for (int i = 0; keys.size() < HazelcastSettings.PARTITIONS; i++) {
      String key = "probe-" + i;
      keys.putIfAbsent(node.member().hazelcast().getPartitionService().getPartition(key).getPartitionId(), key);
    }
    return List.copyOf(keys.values());
  }

  /** How many of the partitions of {@code keys} did not take a write within the store's timeout. */
  private static long refusingWrites(ClusterNode node, List<String> keys) {
    IMap<String, String> probe = node.member().hazelcast().getMap("migration-probe");
    List<CompletableFuture<Void>> writes = keys.stream()
      .map(key -> probe.setAsync(key, "written").toCompletableFuture().orTimeout(WRITE_TIMEOUT_MS, TimeUnit.MILLISECONDS))
      .toList();
    return writes.stream().filter(write -> {
      try {
        write.join();
        return false;
      } catch (CompletionException e) {
        return true;
      }
    }).count();
  }
}
