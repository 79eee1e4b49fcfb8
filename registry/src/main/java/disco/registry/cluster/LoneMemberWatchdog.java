package disco.registry.cluster;

import com.hazelcast.cluster.Member;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets this member back from the small side of a split that Hazelcast does not heal. A member that
 * woke from a freeze, or the members of a node cut off the network, find the others gone; once the
 * others answer again, Hazelcast's split-brain check should merge the two sides within seconds, and
 * usually does, but on an overlay a minority can stay apart for minutes although the others answer
 * (its slips then never called again), and a new member can join such a side as it leaves and stay
 * alone beside the full cluster. So this member leaves and joins again as a new one, asking first the peers it saw answer
 * outside its cluster ({@link ProbingJoiner}), when, for {@link #REJOIN_AFTER_MS}:
 * <ul>
 *   <li>this side lost more members at once than it kept ({@link MembershipHistory}) and one of the
 *   members it lost accepts connections without being back in this cluster; or</li>
 *   <li>more of the addresses discovery lists accept connections without being members of this
 *   cluster than this cluster has members: another, larger cluster is there, if this cluster's
 *   members stayed the same meanwhile ({@link ApartWait}).</li>
 * </ul>
 * The larger side never does, and neither does a member whose discovered peers are all with it. A
 * rejoin that did not help waits twice as long before the next, up to {@link #MAX_REJOIN_AFTER_MS}
 * (a member that cannot join the others, say with another secret, stays alone quietly).
 * It also starts a new member when Hazelcast stopped this one by itself (a merge whose join failed),
 * when a merge has gone on for {@link #MAX_MERGE_MS} without joining the other side, and when this
 * member's own record could be neither read nor written for {@link #MAX_OWN_RECORD_FAILING_MS},
 * or no whole read of the records succeeded for {@link #MAX_RECORDS_UNREADABLE_MS}, with the same
 * members (twice as long after each such rejoin that did not help: {@link RejoinBackoff}); and, when
 * it is the master, once partitions have had no owner for {@link #MAX_OWNERLESS_MS}.
 * Runs on a thread of its own: the check connects, the rejoin blocks.
 */
final class LoneMemberWatchdog {

  private static final Logger LOG = LoggerFactory.getLogger(LoneMemberWatchdog.class);
  static final long CHECK_MS = 1_000;
  static final long REJOIN_AFTER_MS = 8_000;
  static final long MAX_REJOIN_AFTER_MS = 120_000;
  static final int CONNECT_TIMEOUT_MS = 500;
  /**
   * A merge takes a second or two, most of it the join to the other side's master. One that goes on
   * longer is stuck: Hazelcast would keep trying for up to 320 s, the member alone and unable to
   * leave meanwhile (StuckMemberTest).
   */
  static final long MAX_MERGE_MS = 10_000;
  /**
   * A member in the cluster whose own record could be neither read nor written for this long cannot
   * reach the partition that holds it, and nobody calls it: after a heal, the overlay may carry a
   * cut-off node's traffic to the tasks Swarm started during the cut only later than the rest, and
   * the writes of its slips' records then time out for as long. A new member starts with fresh
   * connections to all (PartialDisconnectionTest). Longer than the failover of a frozen partition
   * owner (a few seconds).
   */
  static final long MAX_OWN_RECORD_FAILING_MS = 10_000;
  /**
   * A member that has read no whole copy of the records for this long, with the same members, sees
   * a cluster it cannot read, and its callers miss the instances whose records it cannot see: a
   * storm of joins can leave a member so, its own record answering. Twice as long as a migration
   * towards a member that cannot be reached takes to fail.
   */
  static final long MAX_RECORDS_UNREADABLE_MS = 30_000;
  /**
   * A partition whose owner left has none until the master commits the promotion of a backup, which
   * takes milliseconds. When the master's promotion commit to itself times out, Hazelcast 5.3.8
   * refuses every retry from then on ("Another promotion is being run currently"), and no record in
   * those partitions can be read or written, whatever the members do. Hazelcast's promotion state
   * lives in the member, so the master leaves, and the next oldest member, a new master, promotes
   * the backups (StuckMemberTest). A partition whose owner left in the middle of a migration stays
   * without one until that migration times out: twice that.
   */
  static final long MAX_OWNERLESS_MS = 2L * HazelcastSettings.MIGRATION_TIMEOUT * 1_000L;

  private final ClusterMember member;
  private final MembershipHistory history;
  private final DnsMemberDiscovery discovery;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread watchdog = new Thread(runnable, "lone-member-watchdog");
    watchdog.setDaemon(true);
    return watchdog;
  });
  private final SteadyMembers steadyMembers = new SteadyMembers();
  private final ApartWait apartWait = new ApartWait();
  private final RejoinBackoff ownRecordFailing = new RejoinBackoff(MAX_OWN_RECORD_FAILING_MS, MAX_REJOIN_AFTER_MS);
  private final RejoinBackoff recordsUnreadable = new RejoinBackoff(MAX_RECORDS_UNREADABLE_MS, MAX_REJOIN_AFTER_MS);
  private final OwnerlessPartitions ownerless = new OwnerlessPartitions();
  private final RejoinBackoff ownerlessUnderThisMaster = new RejoinBackoff(MAX_OWNERLESS_MS, MAX_REJOIN_AFTER_MS);

  LoneMemberWatchdog(ClusterMember member, MembershipHistory history, DnsMemberDiscovery discovery) {
    this.member = member;
    this.history = history;
    this.discovery = discovery;
  }

  void start() {
    thread.scheduleWithFixedDelay(this::check, CHECK_MS, CHECK_MS, TimeUnit.MILLISECONDS);
  }

  void stop() {
    thread.shutdownNow();
  }

  private void check() {
    try {
      if (member.stoppedByItself()) {
        member.rejoin("Hazelcast stopped this member by itself", List.of());
        return;
      }
      long merging = member.mergingForMs();
      if (merging >= MAX_MERGE_MS) {
        member.rejoin("A merge into another cluster has not joined it after " + merging + " ms", List.of());
        return;
      }
      long now = System.currentTimeMillis();
      long ownerlessMs = merging >= 0 ? -1 : ownerlessUnderThisMasterForMs(now);
      if (ownerlessUnderThisMaster.due(ownerlessMs)) {
        member.rejoin("Partitions without an owner for " + ownerlessMs + " ms with this member as the master: "
          + "its promotions of their backups are stuck", List.of());
        return;
      }
      Set<InetSocketAddress> members = memberAddresses();
      long sameMembersForMs = steadyMembers.sameForMs(members, now);
      // a merge has its own bound above; while the members change, partitions move and a write may
      // fail for as long, and members that left for it would keep the others' writes failing: only
      // the time with the same members counts
      long failing = merging >= 0 ? -1 : Math.min(member.dataHealth().ownRecordFailingForMs(), sameMembersForMs);
      if (ownRecordFailing.due(failing)) {
        member.rejoin("Own record neither read nor written for " + failing + " ms with the same members", List.of());
        return;
      }
      long unreadable = merging >= 0 ? -1 : Math.min(member.dataHealth().unreadableForMs(), sameMembersForMs);
      if (recordsUnreadable.due(unreadable)) {
        member.rejoin("No whole read of the records for " + unreadable + " ms with the same members", List.of());
        return;
      }
      Apart apart = merging >= 0 || !member.isRunning() ? Apart.NONE : apart(members);
      switch (apartWait.next(apart, sameMembersForMs, now)) {
        // when a rejoin comes late, this tells whether the member saw itself apart late or waited long
        case HOLDS -> LOG.info("Apart from members that answer, at two checks in a row: {}; joining anew {} ms "
          + "after the first unless that ends", apart.towards(), apartWait.waitMs());
        case REJOIN -> member.rejoin("Apart from members that answer (lost in a split, or a larger cluster beside "
          + "this one): " + apart.towards(), apart.towards());
        case NOT_APART, FIRST_SEEN, WAITING -> { }
      }
    } catch (RuntimeException e) {
      // the next check tries again; a watchdog that dies would leave the member stuck for good
      LOG.warn("Split check failed: {}", e.toString());
    }
  }

  /** How long a partition has had no owner while this member was the master; -1 when none, or another is. */
  private long ownerlessUnderThisMasterForMs(long now) {
    // the members come oldest first, and the oldest is the master
    Member master = member.members().stream().findFirst().orElse(null);
    long longest = ownerless.longestMs(master == null ? null : master.getUuid().toString(),
      member.ownerlessPartitions(), now);
    return master != null && master.localMember() ? longest : -1;
  }

  private Set<InetSocketAddress> memberAddresses() {
    return member.members().stream()
      .map(ClusterMember::inet)
      .flatMap(Optional::stream)
      .collect(Collectors.toSet());
  }

  private Apart apart(Set<InetSocketAddress> members) {
    List<InetSocketAddress> discovered = discovery.addresses().stream()
      .map(ClusterMember::inet)
      .flatMap(Optional::stream)
      .toList();
    return apart(members, history.lostAsMinority(), discovered, LoneMemberWatchdog::answers);
  }

  /**
   * The peers to join towards, none when this member is not apart; and whether they were chosen as
   * a larger cluster beside this one rather than as members this side lost.
   */
  record Apart(List<InetSocketAddress> towards, boolean besideLargerCluster) {
    static final Apart NONE = new Apart(List.of(), false);
  }

  /**
   * The peers outside this cluster that answer, to join towards, when this side may be the minority
   * and members it lost answer without being back in it (those members), or when more discovered
   * peers answer outside this cluster than it has members (those peers); otherwise none. Connects no
   * more than it must: to the lost members, then to at most one more outside peer than there are
   * members.
   */
  static Apart apart(Set<InetSocketAddress> members, List<InetSocketAddress> lostAsMinority,
                     List<InetSocketAddress> discovered, Predicate<InetSocketAddress> answers) {
    List<InetSocketAddress> lostThatAnswer = lostAsMinority.stream()
      .filter(address -> !members.contains(address))
      .distinct()
      .filter(answers)
      .toList();
    if (!lostThatAnswer.isEmpty()) {
      return new Apart(lostThatAnswer, false);
    }
    List<InetSocketAddress> outside = discovered.stream()
      .filter(address -> !members.contains(address))
      .distinct()
      .filter(answers)
      .limit(members.size() + 1L)
      .toList();
    return outside.size() > members.size() ? new Apart(outside, true) : Apart.NONE;
  }

  private static boolean answers(InetSocketAddress address) {
    try (Socket socket = new Socket()) {
      socket.connect(address, CONNECT_TIMEOUT_MS);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
