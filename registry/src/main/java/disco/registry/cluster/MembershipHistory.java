package disco.registry.cluster;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The members this cluster lost lately, for the two sides of a split.
 * <ul>
 *   <li>The side that kept the majority does not dial the address of a member it lost alone for
 *   {@link #QUARANTINE_MS}: a frozen member's address stays in DNS, and dialing it for join and
 *   split-brain checks piled operations on a socket nobody read, which delayed the heartbeats of live
 *   members enough to expel them too. The lost member comes back by itself: it is the one alone.
 *   While this side keeps more data members than it lost lately, it is left alone for
 *   {@link #LOST_ALONE_MS} instead: Hazelcast merges the side with fewer data members into the other,
 *   and the other side holds at most the members this one lost, so it always comes to this one,
 *   however long it was frozen.
 *   Members lost together (a node cut off, say) are not quarantined: either side may have to merge.</li>
 *   <li>The side that lost more members at once than it kept may be the minority: it quarantines
 *   nothing, and {@link LoneMemberWatchdog} watches whether the members it lost answer again.</li>
 * </ul>
 * Thread-safe: written by Hazelcast's event threads, read by its discovery and the watchdog.
 */
final class MembershipHistory {

  static final long QUARANTINE_MS = 30_000;
  /**
   * How long a member lost alone is left alone while this side keeps more data members than it lost
   * within {@link #RECENT_MS}: once a shorter quarantine is over, every member's
   * {@link LoneMemberWatchdog} dials the frozen member each second, and a split-brain check that
   * reaches it as it wakes times out waiting on its answer, while the member merges by itself all the
   * same (MembershipHistoryTest). A bound still, should this side not be the one it merges into.
   */
  static final long LOST_ALONE_MS = 120_000;
  /** Members lost within this much of each other were lost together: a split, not departures. */
  static final long BURST_MS = 5_000;
  /** How long this side keeps looking for the members it lost in a split. */
  static final long RECENT_MS = 120_000;

  private final Map<InetSocketAddress, Long> quarantinedUntil = new ConcurrentHashMap<>();
  private final Map<InetSocketAddress, Long> departedAt = new ConcurrentHashMap<>();
  private final LongSupplier clock;
  private volatile boolean minority;

  MembershipHistory(LongSupplier clock) {
    this.clock = clock;
  }

  MembershipHistory() {
    this(System::currentTimeMillis);
  }

  /**
   * A member at {@code address} left; {@code remaining} members are still in this cluster,
   * {@code remainingData} of them data members. Members leave one by one in a rolling update or a
   * scale-down; in a split they go together, and the side that lost more than it kept may be the
   * minority.
   */
  void left(InetSocketAddress address, int remaining, int remainingData) {
    long now = clock.getAsLong();
    departedAt.values().removeIf(at -> at <= now - RECENT_MS);
    departedAt.put(address, now);
    quarantinedUntil.values().removeIf(until -> until <= now);
    List<InetSocketAddress> lostTogether = departedAt.entrySet().stream()
      .filter(entry -> entry.getValue() > now - BURST_MS).map(Map.Entry::getKey).toList();
    if (lostTogether.size() > remaining) {
      // it must be free to find the majority anywhere
      minority = true;
      quarantinedUntil.clear();
    } else if (lostTogether.size() > 1) {
      // lost together: a split, not a freeze. The other side may well be the one to merge into:
      // Hazelcast counts data members only, and Swarm starts the replacements of a cut-off node's
      // tasks beside it. Quarantined, they would hold this side's merge back for the quarantine
      lostTogether.forEach(quarantinedUntil::remove);
    } else if (!minority) {
      quarantinedUntil.put(address, now + LOST_ALONE_MS);
    }
    if (!sureToBeMergedInto(remainingData)) {
      // the members lost lately may be together on the other side, as many data members as this one:
      // either side may have to merge. Members lost more than BURST_MS apart count here too
      quarantinedUntil.replaceAll((lost, until) -> Math.min(until, now + QUARANTINE_MS));
    }
  }

  /**
   * Whether the other side of any split this side went through holds fewer data members than this one:
   * it holds at most every member lost lately and not back, however far apart they were lost.
   */
  private boolean sureToBeMergedInto(int remainingData) {
    return remainingData > departedAt.size();
  }

  /** A member at {@code address} joined: whatever happened to it is over, and this side has company. */
  void joined(InetSocketAddress address) {
    quarantinedUntil.remove(address);
    departedAt.remove(address);
    minority = false;
  }

  /** This node starts over as a new member: its past is not the new member's. */
  void forget() {
    quarantinedUntil.clear();
    departedAt.clear();
    minority = false;
  }

  boolean quarantined(InetSocketAddress address) {
    Long until = quarantinedUntil.get(address);
    if (until == null) {
      return false;
    }
    if (until <= clock.getAsLong()) {
      quarantinedUntil.remove(address, until);
      return false;
    }
    return true;
  }

  /**
   * When this side lost more members at once than it kept: the addresses of the members it lost
   * within {@link #RECENT_MS}, which did not come back. Empty on the side that kept the majority.
   */
  List<InetSocketAddress> lostAsMinority() {
    if (!minority) {
      return List.of();
    }
    long since = clock.getAsLong() - RECENT_MS;
    return departedAt.entrySet().stream().filter(entry -> entry.getValue() > since).map(Map.Entry::getKey).toList();
  }
}
