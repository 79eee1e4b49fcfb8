package disco.registry;

import io.vertx.servicediscovery.Record;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the records of nodes that left without unpublishing (kill -9, a freeze, a partition):
 * stock Vert.x discovery never does. Every node runs one, but only the oldest member sweeps, so a
 * record is removed once. It sweeps when a member leaves, after a merge, and every
 * {@link #PERIOD_MS}; a removal that failed (a partition still moving) is tried again soon.
 * Confined to the node's context.
 */
final class RecordSweeper {

  private static final Logger LOG = LoggerFactory.getLogger(RecordSweeper.class);
  static final long PERIOD_MS = 2_000;
  static final long RETRY_MS = 500;

  private final ClusterNode node;
  /** Removals under way, so that a sweep does not send the same one twice. */
  private final Set<String> removing = new HashSet<>();
  private final Set<String> departed = new HashSet<>();
  private long retryTimer = -1;
  private volatile int removed;

  RecordSweeper(ClusterNode node) {
    this.node = node;
  }

  void start() {
    node.onMemberChange(change -> {
      if (!change.joined()) {
        departed.add(change.nodeId());
        sweep();
      }
    });
    node.onMerged(v -> sweep());
    node.onRecordsChanged(v -> sweep());
    node.vertx().setPeriodic(PERIOD_MS, id -> sweep());
    sweep();
  }

  /** How many records this node removed: for tests that check only one member sweeps. */
  int removed() {
    return removed;
  }

  private void sweep() {
    if (!node.isRunning() || !node.isOldestMember()) {
      return;
    }
    Set<String> live = node.liveMemberIds();
    // right after a departure the member list may still show the departed member
    live.removeAll(departed);
    Set<String> owners = new HashSet<>();
    for (Record record : node.records()) {
      String owner = ServiceInstance.ownerOf(record);
      if (owner == null) {
        continue;
      }
      owners.add(owner);
      if (!live.contains(owner) && removing.add(record.getRegistration())) {
        remove(record, owner);
      }
    }
    departed.retainAll(owners);
  }

  private void remove(Record record, String owner) {
    node.store().remove(record.getRegistration())
      .onSuccess(present -> {
        if (!present) {
          // removed meanwhile, and the event that says so has not arrived (or was lost)
          node.cache().forget(record.getRegistration());
          return;
        }
        removed++;
        LOG.info("Removed record {} {}:{} of departed node {}", record.getName(),
          record.getLocation().getString("host"), record.getLocation().getValue("port"), owner);
      })
      .onFailure(err -> {
        LOG.warn("Could not remove record {} of departed node {} yet: {}", record.getRegistration(), owner,
          err.getMessage());
        if (retryTimer < 0) {
          retryTimer = node.vertx().setTimer(RETRY_MS, id -> {
            retryTimer = -1;
            sweep();
          });
        }
      })
      .onComplete(done -> removing.remove(record.getRegistration()));
  }
}
