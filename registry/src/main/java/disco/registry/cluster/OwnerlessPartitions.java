package disco.registry.cluster;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How long partitions have gone without an owner among the members, counted while the same member
 * is the master. A partition whose owner left has none until the master commits the promotion of a
 * backup, which takes milliseconds; the watchdog's rule for a master whose promotions are stuck
 * reads this. Time under an earlier master does not count: a new master repairs the table anew.
 */
final class OwnerlessPartitions {

  private final Map<Integer, Long> since = new HashMap<>();
  private String master;

  /**
   * The longest time one of {@code ownerless} has been without an owner while {@code masterId} was
   * the master, or -1 when no partition is without one.
   */
  long longestMs(String masterId, Set<Integer> ownerless, long nowMs) {
    if (!Objects.equals(masterId, master)) {
      master = masterId;
      since.clear();
    }
    since.keySet().retainAll(ownerless);
    ownerless.forEach(partition -> since.putIfAbsent(partition, nowMs));
    return since.values().stream().mapToLong(at -> nowMs - at).max().orElse(-1);
  }
}
