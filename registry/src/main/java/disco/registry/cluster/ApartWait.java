package disco.registry.cluster;

import java.net.InetSocketAddress;
import java.util.Set;

/**
 * How long a member that sees itself apart ({@link LoneMemberWatchdog.Apart}) waits before it joins
 * anew: {@link LoneMemberWatchdog#REJOIN_AFTER_MS} at first, twice as long after each rejoin that did
 * not end it, up to {@link LoneMemberWatchdog#MAX_REJOIN_AFTER_MS}, and back to the first wait once
 * the member is not apart any more.
 * <p>
 * Beside a larger cluster, the wait starts again whenever this cluster's members change. Ports that
 * accept connections outside this cluster may be members still starting, on their way into it: when
 * 20 slips started at once, the master of the growing cluster counted more of them than it had
 * members, left, and the cluster churned for a minute (33 rejoins among 21 members). A cluster that
 * takes in joins is not stuck; one left alone beside another, the case the rule is for, does not
 * change. Members this side lost that answer again are not waited on longer for a change.
 */
final class ApartWait {

  enum Step { NOT_APART, FIRST_SEEN, WAITING, REJOIN }

  private long since = -1;
  private long waitMs = LoneMemberWatchdog.REJOIN_AFTER_MS;
  private Set<InetSocketAddress> lastMembers = Set.of();

  /** The step for this check, given what it found and this cluster's members at the time. */
  Step next(LoneMemberWatchdog.Apart apart, Set<InetSocketAddress> members, long nowMs) {
    boolean membersChanged = !members.equals(lastMembers);
    lastMembers = members;
    if (apart.towards().isEmpty()) {
      since = -1;
      waitMs = LoneMemberWatchdog.REJOIN_AFTER_MS;
      return Step.NOT_APART;
    }
    if (since < 0) {
      since = nowMs;
      return Step.FIRST_SEEN;
    }
    if (apart.besideLargerCluster() && membersChanged) {
      since = nowMs;
      return Step.WAITING;
    }
    if (nowMs - since < waitMs) {
      return Step.WAITING;
    }
    since = -1;
    waitMs = Math.min(LoneMemberWatchdog.MAX_REJOIN_AFTER_MS, waitMs * 2);
    return Step.REJOIN;
  }

  /** The wait before the next rejoin, counted from when the member saw itself apart. */
  long waitMs() {
    return waitMs;
  }
}
