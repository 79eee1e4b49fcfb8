package disco.registry.cluster;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.Member;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.instance.impl.Node;
import com.hazelcast.internal.cluster.impl.ClusterServiceImpl;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends this member's wait on a silent member while it claims mastership. When the master is lost,
 * the next oldest member claims mastership and asks every member it did not yet suspect for its
 * view. Hazelcast 5.3.8 waits on a silent one in steps of 5 s ({@code FETCH_MEMBER_LIST_MILLIS}),
 * and a suspicion that comes meanwhile does not end the step: when a node is cut off with the
 * master and another member on it, the claim would wait a whole step on that member, and the
 * records of the node's slips would be removed seconds late (FrozenMemberIT, the multi-node e2e's
 * partition case).
 * <p>
 * Once a member has sent no heartbeat for the deadline plus one heartbeat interval, Hazelcast's own
 * detector, which looks once an interval, has suspected it too, and the claim will leave it out
 * anyway: this fails the claim's call to it at once, the way Hazelcast fails the calls to a member
 * that left ({@code OperationService.onEndpointLeft}), and the claim goes on without waiting.
 * Only the claimant acts, only during its claim, and only on members Hazelcast has given up on.
 */
final class MastershipClaimWatch {

  private static final Logger LOG = LoggerFactory.getLogger(MastershipClaimWatch.class);
  static final long CHECK_MS = 250;

  private final ClusterMember member;
  private final long overdueMs;
  /** The members already let go during the current claim. Confined to the node's context. */
  private final Set<UUID> released = new HashSet<>();

  MastershipClaimWatch(ClusterMember member, long heartbeatIntervalMs, long maxNoHeartbeatMs) {
    this.member = member;
    this.overdueMs = maxNoHeartbeatMs + heartbeatIntervalMs;
  }

  void start() {
    member.vertx().setPeriodic(CHECK_MS, id -> check());
  }

  private void check() {
    if (!member.isRunning() || !(member.hazelcast() instanceof HazelcastInstanceProxy proxy)) {
      return;
    }
    Node internals = proxy.getOriginal().node;
    ClusterServiceImpl cluster = internals.getClusterService();
    if (!claiming(cluster, internals.getThisAddress())) {
      released.clear();
      return;
    }
    long now = cluster.getClusterTime();
    for (Member other : cluster.getMembers()) {
      long last = cluster.getClusterHeartbeatManager().getLastHeartbeatTime(other);
      if (!other.localMember() && last > 0 && now - last > overdueMs && released.add(other.getUuid())) {
        LOG.info("Claiming mastership: {} sent no heartbeat for {} ms, the claim does not wait on it",
          other.getAddress(), now - last);
        internals.getNodeEngine().getOperationService().onEndpointLeft(other.getAddress());
      }
    }
  }

  /**
   * Whether this member is claiming mastership: it names itself master while the member list still
   * starts with the member it lost (the list changes only once the claim is decided).
   */
  private static boolean claiming(ClusterServiceImpl cluster, Address self) {
    Iterator<Member> oldest = cluster.getMembers().iterator();
    return self.equals(cluster.getMasterAddress()) && oldest.hasNext() && !oldest.next().localMember();
  }
}
