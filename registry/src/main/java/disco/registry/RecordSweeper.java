package disco.registry;

import io.vertx.servicediscovery.Record;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the records of nodes that left without unpublishing (kill -9, partition): stock Vert.x
 * discovery never does. Every node runs one, but only the oldest member sweeps, so a record is
 * removed once; a sweep also runs periodically and after a split-brain merge.
 */
final class RecordSweeper {

  private static final Logger LOG = LoggerFactory.getLogger(RecordSweeper.class);
  static final long PERIOD_MS = 5_000;

  private final ClusterNode node;
  private final long timerId;
  private int removed;

  RecordSweeper(ClusterNode node) {
    this.node = node;
    node.onMemberChange(change -> {
      if (!change.joined()) {
        sweep(change.nodeId());
      }
    });
    node.onMerged(v -> sweep(null));
    this.timerId = node.vertx().setPeriodic(PERIOD_MS, id -> sweep(null));
    sweep(null);
  }

  /** How many records this node removed: for tests that check only one member sweeps. */
  int removed() {
    return removed;
  }

  void stop() {
    node.vertx().cancelTimer(timerId);
  }

  /** {@code departed}: a member just reported gone, in case the member list still shows it. */
  private void sweep(String departed) {
    if (!node.isRunning() || !node.isOldestMember()) {
      return;
    }
    node.records().onSuccess(records -> {
      // read after the records: a node that joined meanwhile must not lose its fresh record
      Set<String> live = node.liveMemberIds();
      if (departed != null) {
        live.remove(departed);
      }
      for (Record record : records) {
        String owner = ServiceInstance.ownerOf(record);
        if (owner != null && !live.contains(owner)) {
          remove(record, owner);
        }
      }
    }).onFailure(err -> {
      if (node.isRunning()) {
        LOG.warn("Record sweep skipped: {}", err.getMessage());
      }
    });
  }

  private void remove(Record record, String owner) {
    node.discovery().unpublish(record.getRegistration())
      .onSuccess(v -> removed++)
      .onSuccess(v -> LOG.info("Removed record {} {}:{} of departed node {}", record.getName(),
        record.getLocation().getString("host"), record.getLocation().getValue("port"), owner))
      // another sweeper (a moment of two oldest members) got there first: nothing lost
      .onFailure(err -> LOG.debug("Record {} already gone: {}", record.getRegistration(), err.getMessage()));
  }
}
