package disco.registry.cluster;

import static disco.registry.TestCluster.await;
import static disco.registry.TestCluster.hazelcastNode;
import static disco.registry.TestCluster.owners;
import static disco.registry.TestCluster.within;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.cluster.Address;
import com.hazelcast.instance.impl.NodeShutdownHelper;
import com.hazelcast.internal.partition.InternalPartition;
import com.hazelcast.internal.partition.PartitionReplica;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import disco.registry.ClusterNode;
import disco.registry.TestCluster;
import disco.registry.config.ClusterConfig;
import disco.registry.records.ServiceIdentity;

/**
 * A member that Hazelcast leaves without a cluster, or stuck in a merge, gets back by itself: the
 * cases behind a slip seen alone for minutes beside the full cluster on a fresh 3-node stack.
 */
@Timeout(90)
class StuckMemberTest {

  private final TestCluster cluster = new TestCluster();

  @AfterEach
  void close() {
    cluster.close();
  }

  private static void publish(ClusterNode node) {
    TestCluster.publish(node, "a", 1001);
  }

  /** Back in the cluster as a new member, its record republished under the new id. */
  private static void backAsNewMember(ClusterNode a, ClusterNode b, String formerId, Duration within) {
    within(within, "a back in b's cluster as a new member, its record with it", () -> a.isRunning()
      && !a.nodeId().equals(formerId)
      && b.liveMemberIds().equals(Set.of(a.nodeId(), b.nodeId()))
      && owners(b).equals(Set.of(a.nodeId())));
  }

  @Test
  void member_that_hazelcast_stopped_by_itself_joins_again_as_a_new_member() {
    ClusterNode a = cluster.join();
    ClusterNode b = cluster.join();
    publish(a);
    within(Duration.ofSeconds(5), "a's record in b's copy", () -> owners(b).contains(a.nodeId()));
    String formerId = a.nodeId();

    // what Hazelcast does when a merge's join fails: "Could not join cluster. Shutting down now!"
    NodeShutdownHelper.shutdownNodeByFiringEvents(hazelcastNode(a), true);

    backAsNewMember(a, b, formerId, Duration.ofSeconds(20));
  }

  @Test
  void merge_that_cannot_join_the_other_side_is_ended_and_the_member_joins_anew() throws Exception {
    ClusterNode a = cluster.join();
    ClusterNode b = cluster.join();
    publish(a);
    within(Duration.ofSeconds(5), "a's record in b's copy", () -> owners(b).contains(a.nodeId()));
    String formerId = a.nodeId();

    // a merge towards a master that never answers: Hazelcast alone would try it for 20 s, then the
    // discovered members for up to 300 s more, under the lock that terminate() needs
    Address nowhere = new Address("127.0.0.1", 1);
    Thread merge = new Thread(() -> hazelcastNode(a).getClusterService().merge(nowhere));
    merge.start();
    within(Duration.ofSeconds(5), "the merge under way", () -> a.member().mergingForMs() >= 0);

    merge.join(18_000);
    assertThat(merge.isAlive()).as("the merge still holds its lock after 18 s").isFalse();
    backAsNewMember(a, b, formerId, Duration.ofSeconds(20));
  }

  @Test
  void master_whose_promotions_are_stuck_leaves_so_that_a_new_master_promotes_the_backups() throws Exception {
    ClusterNode a = cluster.join();
    ClusterNode b = cluster.join();
    ClusterNode c = cluster.join();
    within(Duration.ofSeconds(10), "three members, every partition with its backups in place",
      () -> a.liveMemberIds().size() == 3 && a.member().hazelcast().getPartitionService().isClusterSafe()
        && promotedToA(a, b) + promotedToA(a, c) > 0);
    assertThat(a.member().isOldestMember()).as("a, the first, is the master").isTrue();
    String formerId = a.nodeId();

    // what Hazelcast 5.3.8 was seen to do in a storm of 20 slips: the master's promotion commit to
    // itself timed out once, and every retry was refused for good ("Another promotion is being run
    // currently"). Holding the master's promotion permit does the same to every promotion to it.
    assertThat(hazelcastNode(a).partitionService.getMigrationManager().acquirePromotionPermit()).isTrue();
    // crash the member with the most partitions whose first backup, the one promoted, is on a
    ClusterNode victim = List.of(b, c).stream()
      .max(Comparator.comparingLong(node -> promotedToA(a, node))).orElseThrow();
    assertThat(promotedToA(a, victim)).as("partitions of the victim that a would take over").isPositive();
    ClusterNode survivor = victim == b ? c : b;
    TestCluster.crash(victim);

    within(Duration.ofSeconds(10), "partitions without an owner, their promotion to a stuck",
      () -> !survivor.member().hazelcast().getPartitionService().getPartitions().stream()
        .allMatch(partition -> partition.getOwner() != null));
    // as in the storm, members keep coming and going meanwhile, so that the rules which wait for the
    // same members (a member whose records cannot be read) never act: only the master's rule can
    AtomicBoolean churning = new AtomicBoolean(true);
    Thread churn = new Thread(() -> {
      while (churning.get()) {
        ClusterNode passing = cluster.join(ClusterConfig.loopback(cluster.name()).asLiteMember());
        pause(3_000);
        TestCluster.crash(passing);
        pause(3_000);
      }
    });
    churn.start();
    try {
      within(Duration.ofSeconds(60), "a back as a new member, every partition owned again", () -> a.isRunning()
        && !a.nodeId().equals(formerId)
        && survivor.liveMemberIds().containsAll(Set.of(a.nodeId(), survivor.nodeId()))
        && survivor.member().hazelcast().getPartitionService().getPartitions().stream()
          .allMatch(partition -> partition.getOwner() != null));
    } finally {
      churning.set(false);
      churn.join(20_000);
    }
    // and the map answers again: a record written and read through the partitions that were stuck
    publish(survivor);
    within(Duration.ofSeconds(10), "survivor's record in a's copy", () -> owners(a).contains(survivor.nodeId()));
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** How many of {@code owner}'s partitions have their first backup on {@code a}. */
  private static long promotedToA(ClusterNode a, ClusterNode owner) {
    UUID ownerId = UUID.fromString(owner.nodeId());
    UUID aId = UUID.fromString(a.nodeId());
    return IntStream.range(0, hazelcastNode(a).partitionService.getPartitionCount())
      .mapToObj(id -> hazelcastNode(a).partitionService.getPartition(id))
      .filter(partition -> isOn(partition, 0, ownerId) && isOn(partition, 1, aId))
      .count();
  }

  private static boolean isOn(InternalPartition partition, int replica, UUID member) {
    PartitionReplica holder = partition.getReplica(replica);
    return holder != null && holder.uuid().equals(member);
  }
}
