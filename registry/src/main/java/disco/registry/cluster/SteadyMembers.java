package disco.registry.cluster;

import java.net.InetSocketAddress;
import java.util.Set;

/**
 * How long this cluster's members have stayed the same, as seen by checks made now and then. The
 * watchdog's rules that make a member leave and join anew are for a cluster that is stuck, and a
 * cluster whose members change is not: they count only the time with the same members.
 */
final class SteadyMembers {

  private Set<InetSocketAddress> last;
  private long since;

  /** The time since the members last changed; 0 when they changed since the last call. */
  long sameForMs(Set<InetSocketAddress> members, long nowMs) {
    if (!members.equals(last)) {
      last = members;
      since = nowMs;
    }
    return nowMs - since;
  }
}
