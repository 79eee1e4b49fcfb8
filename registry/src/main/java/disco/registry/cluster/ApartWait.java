package disco.registry.cluster;

/**
 * How long a member that sees itself apart ({@link LoneMemberWatchdog.Apart}) waits before it joins
 * anew: {@link LoneMemberWatchdog#REJOIN_AFTER_MS} at first, twice as long after each rejoin that did
 * not end it, up to {@link LoneMemberWatchdog#MAX_REJOIN_AFTER_MS}, and back to the first wait once
 * the member is not apart any more ({@link RejoinBackoff}).
 * <p>
 * Beside a larger cluster, only the time with the same members counts ({@link SteadyMembers}). Ports that
 * accept connections outside this cluster may be members still starting, on their way into it: when
 * 20 slips started at once, the master of the growing cluster counted more of them than it had
 * members, left, and the cluster churned for a minute (33 rejoins among 21 members). A cluster that
 * takes in joins is not stuck; one left alone beside another, the case the rule is for, does not
 * change. Members this side lost that answer again are not waited on longer for a change.
 */
final class ApartWait {

  /**
   * {@code HOLDS} comes once, at the second check in a row that finds the member apart: the one
   * worth a log line. Ports seen once outside this cluster are often members on their way in: each
   * of 11 fresh deploys on 3 nodes had one or two members see the others listening a moment before
   * they joined it, and the next check found them in.
   */
  enum Step { NOT_APART, FIRST_SEEN, HOLDS, WAITING, REJOIN }

  private final RejoinBackoff backoff =
    new RejoinBackoff(LoneMemberWatchdog.REJOIN_AFTER_MS, LoneMemberWatchdog.MAX_REJOIN_AFTER_MS);
  private long since = -1;
  private boolean held;

  /** The step for this check, given what it found and how long this cluster's members have been the same. */
  Step next(LoneMemberWatchdog.Apart apart, long sameMembersForMs, long nowMs) {
    if (apart.towards().isEmpty()) {
      since = -1;
      backoff.due(-1); // over: the next time waits the first wait again
      return Step.NOT_APART;
    }
    if (since < 0) {
      since = nowMs;
      held = false;
      return Step.FIRST_SEEN;
    }
    long apartForMs = apart.besideLargerCluster() ? Math.min(nowMs - since, sameMembersForMs) : nowMs - since;
    if (!backoff.due(apartForMs)) {
      if (!held) {
        held = true;
        return Step.HOLDS;
      }
      return Step.WAITING;
    }
    since = -1;
    return Step.REJOIN;
  }

  /** The wait before the next rejoin, counted from when the member saw itself apart. */
  long waitMs() {
    return backoff.waitMs();
  }
}
