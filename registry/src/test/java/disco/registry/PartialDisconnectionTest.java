package disco.registry;

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
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A member in the cluster that cannot reach the partition holding its own record: after a heal, the
 * overlay carried a cut-off node's traffic to the tasks started during the cut only seconds after
 * the rest, and its slips, back in the cluster, could not write their records for over a minute
 * (RELIABILITY item 27). Here one member closes every connection to the one that owns its record's
 * partition, while both still hear the master.
 */
@Timeout(90)
class PartialDisconnectionTest {

  private final TestCluster cluster = new TestCluster();

  @AfterEach
  void close() {
    cluster.close();
  }

  /** From now on the current Hazelcast member of {@code on} closes every connection to {@code peer}. */
  private static void cut(ClusterNode on, ClusterNode peer) {
    Address peerAddress = hazelcastNode(peer).getThisAddress();
    ServerConnectionManager connections = hazelcastNode(on).getServer().getConnectionManager(EndpointQualifier.MEMBER);
    connections.addConnectionListener(new ConnectionListener<>() {
      @Override
      public void connectionAdded(ServerConnection connection) {
        if (peerAddress.equals(connection.getRemoteAddress())) {
          connection.close("cut apart by the test", null);
        }
      }

      @Override
      public void connectionRemoved(ServerConnection connection) {
      }
    });
    connections.getConnections().stream()
      .filter(connection -> peerAddress.equals(connection.getRemoteAddress()))
      .forEach(connection -> connection.close("cut apart by the test", null));
  }

  /** A record of {@code node}'s whose key lies in a partition that {@code owner} holds. */
  private static OwnRecord recordHeldBy(ClusterNode node, ClusterNode owner) {
    UUID ownerId = UUID.fromString(owner.nodeId());
    while (true) {
      OwnRecord own = new OwnRecord(node, new ServiceIdentity("slip", "b", "test", 1L), "127.0.0.1");
      Member holder = node.hazelcast().getPartitionService().getPartition(own.registration()).getOwner();
      if (holder != null && holder.getUuid().equals(ownerId)) {
        return own;
      }
    }
  }

  @Test
  void member_that_cannot_reach_its_own_record_joins_anew_and_writes_it_again() {
    ClusterNode master = cluster.join();
    ClusterNode b = cluster.join();
    ClusterNode c = cluster.join();
    within(Duration.ofSeconds(10), "one cluster of 3", () -> master.liveMemberIds().size() == 3);
    OwnRecord own = recordHeldBy(b, c);
    await(own.publish(1001));
    String formerId = b.nodeId();
    within(Duration.ofSeconds(5), "b's record in the master's copy", () -> owners(master).contains(formerId));

    cut(b, c);

    within(Duration.ofSeconds(45), "b back as a new member, its record under the new id in every copy", () ->
      !b.nodeId().equals(formerId)
        && master.liveMemberIds().equals(Set.of(master.nodeId(), b.nodeId(), c.nodeId()))
        && owners(master).contains(b.nodeId()) && owners(c).contains(b.nodeId()));
    assertThat(owners(master)).as("no record left under b's former id").doesNotContain(formerId);
  }
}
