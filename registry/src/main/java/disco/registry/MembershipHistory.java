package disco.registry;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The members this cluster lost lately, for the two sides of a split.
 * <ul>
 *   <li>The side that kept the majority does not dial a lost member's address for
 *   {@link #QUARANTINE_MS}: a frozen member's address stays in DNS, and dialing it for join and
 *   split-brain checks piled operations on a socket nobody read, which delayed the heartbeats of live
 *   members enough to expel them too. The lost member comes back by itself: it is the one alone.</li>
 *   <li>The side that lost at least as many members as it kept may be the minority: it quarantines
 *   nothing, and {@link LoneMemberWatchdog} watches whether the members it lost answer again.</li>
 * </ul>
 * Thread-safe: written by Hazelcast's event threads, read by its discovery and the watchdog.
 */
final class MembershipHistory {

  static final long QUARANTINE_MS = 30_000;
  /** How long a departure counts as recent. */
  static final long RECENT_MS = 120_000;

  private final Map<InetSocketAddress, Long> quarantinedUntil = new ConcurrentHashMap<>();
  private final Map<InetSocketAddress, Long> departedAt = new ConcurrentHashMap<>();
  private final LongSupplier clock;

  MembershipHistory(LongSupplier clock) {
    this.clock = clock;
  }

  MembershipHistory() {
    this(System::currentTimeMillis);
  }

  /** A member at {@code address} left; {@code remaining} members are still in this cluster. */
  void left(InetSocketAddress address, int remaining) {
    long now = clock.getAsLong();
    departedAt.values().removeIf(at -> at <= now - RECENT_MS);
    departedAt.put(address, now);
    quarantinedUntil.values().removeIf(until -> until <= now);
    if (remaining > recentlyLost().size()) {
      quarantinedUntil.put(address, now + QUARANTINE_MS);
    } else {
      // this side may be the minority: it must be free to find the majority anywhere
      quarantinedUntil.clear();
    }
  }

  /** A member at {@code address} joined: whatever happened to it is over. */
  void joined(InetSocketAddress address) {
    quarantinedUntil.remove(address);
    departedAt.remove(address);
  }

  /** This node starts over as a new member: its past is not the new member's. */
  void forget() {
    quarantinedUntil.clear();
    departedAt.clear();
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

  /** Addresses of the members that left within {@link #RECENT_MS} and did not join again. */
  List<InetSocketAddress> recentlyLost() {
    long since = clock.getAsLong() - RECENT_MS;
    return departedAt.entrySet().stream().filter(entry -> entry.getValue() > since).map(Map.Entry::getKey).toList();
  }
}
