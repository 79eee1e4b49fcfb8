package disco.registry.cluster;

import disco.registry.cluster.ClusterMember.MemberChange;
import disco.registry.config.ClusterConfig;
import disco.registry.metrics.NodeMetrics;
import disco.registry.records.RecordTasks;
import disco.registry.security.ClusterSecret;
import java.net.InetSocketAddress;
import java.util.List;

/** What tests elsewhere do to a member that no service may: join on a fake network, crash, rejoin, hear a late event. */
public final class TestMembers {

  private TestMembers() {
  }

  /** A member whose names never resolve, and that finds its peers listening at {@code network} instead. */
  public static ClusterMember join(ClusterConfig config, ClusterSecret secret, List<InetSocketAddress> network) {
    MembershipHistory history = new MembershipHistory();
    return ClusterMember.join(config, secret, new NodeMetrics(), RecordTasks.serializers(), null, history,
      new DnsMemberDiscovery(config.members(), config.port(), network, history));
  }

  /** Ends {@code member} at once, as a killed process's: no record removed, no leave announced. */
  public static void crash(ClusterMember member) {
    // a killed process's watchdog dies with it: it must not start the member again
    member.watchdog().stop();
    member.hazelcast().getLifecycleService().terminate();
  }

  /** Leaves and joins anew, as the watchdog does with a member stuck apart; blocks for the join. */
  public static void rejoin(ClusterMember member) {
    member.rejoin("a test", List.of());
  }

  /** Tells {@code member}'s subscribers of {@code change} as Hazelcast would, late or twice. */
  public static void announce(ClusterMember member, MemberChange change) {
    member.announce(change);
  }
}
