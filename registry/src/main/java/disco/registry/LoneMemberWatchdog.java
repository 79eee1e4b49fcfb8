package disco.registry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets this member back from the minority side of a split that Hazelcast does not heal. A member
 * that woke from a freeze, or the members of a node cut off the network, find the others gone; once
 * the others answer again, Hazelcast's split-brain check should merge the two sides within seconds,
 * and usually does, but on the overlay the minority was seen to stay apart for minutes although the
 * others answered (its slips were then never called again). So when this side lost more members at
 * once than it kept ({@link MembershipHistory}), and for {@link #REJOIN_AFTER_MS} one of the members
 * it lost accepts connections without being back in this cluster, this member leaves and joins again
 * as a new one.
 * The majority side never does; a member that never lost anyone (a single local node, a fresh
 * stack) is never touched. Runs on a thread of its own: the check connects, the rejoin blocks.
 */
final class LoneMemberWatchdog {

  private static final Logger LOG = LoggerFactory.getLogger(LoneMemberWatchdog.class);
  static final long CHECK_MS = 1_000;
  static final long REJOIN_AFTER_MS = 8_000;
  static final int CONNECT_TIMEOUT_MS = 500;

  private final ClusterNode node;
  private final MembershipHistory history;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread watchdog = new Thread(runnable, "lone-member-watchdog");
    watchdog.setDaemon(true);
    return watchdog;
  });
  private long apartSince = -1;

  LoneMemberWatchdog(ClusterNode node, MembershipHistory history) {
    this.node = node;
    this.history = history;
    thread.scheduleWithFixedDelay(this::check, CHECK_MS, CHECK_MS, TimeUnit.MILLISECONDS);
  }

  void stop() {
    thread.shutdownNow();
  }

  private void check() {
    try {
      if (!node.isRunning() || !apartFromMembersThatAnswer()) {
        apartSince = -1;
        return;
      }
      long now = System.currentTimeMillis();
      if (apartSince < 0) {
        apartSince = now;
      } else if (now - apartSince >= REJOIN_AFTER_MS) {
        apartSince = -1;
        node.rejoin();
      }
    } catch (RuntimeException e) {
      // the next check tries again; a watchdog that dies would leave the member stuck for good
      LOG.warn("Split check failed: {}", e.toString());
    }
  }

  /** Whether this side may be the minority and a member it lost answers without being back in it. */
  private boolean apartFromMembersThatAnswer() {
    Set<InetSocketAddress> members = node.members().stream()
      .map(ClusterNode::inet)
      .flatMap(Optional::stream)
      .collect(Collectors.toSet());
    return history.lostAsMinority().stream()
      .filter(address -> !members.contains(address))
      .anyMatch(LoneMemberWatchdog::answers);
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
