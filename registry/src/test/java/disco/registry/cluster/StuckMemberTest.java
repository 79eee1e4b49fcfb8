package disco.registry.cluster;

import static disco.registry.TestCluster.await;
import static disco.registry.TestCluster.hazelcastNode;
import static disco.registry.TestCluster.owners;
import static disco.registry.TestCluster.within;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.cluster.Address;
import com.hazelcast.instance.impl.NodeShutdownHelper;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import disco.registry.ClusterNode;
import disco.registry.TestCluster;
import disco.registry.records.OwnRecord;
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
    OwnRecord own = node.ownRecord(new ServiceIdentity("slip", "a", "test", 1L), "127.0.0.1");
    await(own.publish(1001));
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
}
