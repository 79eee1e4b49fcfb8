package disco.registry.records;

import disco.registry.cluster.ClusterMember;
import io.vertx.servicediscovery.Record;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
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
  static final long HOLD_MS = 10_000;
  static final long SETTLE_MS = 500;

  private final ClusterMember member;
  private final ClusterRecords records;
  /** Removals under way, so that a sweep does not send the same one twice. */
  private final Set<String> removing = new HashSet<>();
  /**
   * Record owner -> when it was first seen gone, to tell a burst of departures. Never used to decide
   * who is live: the member list decides, as departure events may arrive after the member's return.
   */
  private final Map<String, Long> departedAt = new HashMap<>();
  private boolean holding;
  private long retryTimer = -1;
  private volatile int removed;

  RecordSweeper(ClusterMember member, ClusterRecords records) {
    this.member = member;
    this.records = records;
  }

  void start() {
    member.onMemberChange(change -> {
      if (change.joined()) {
        departedAt.remove(change.nodeId());
      } else {
        departedAt.putIfAbsent(change.nodeId(), System.currentTimeMillis());
        // members lost together are reported one by one: count them all before deciding
        member.vertx().setTimer(SETTLE_MS, id -> sweep());
      }
    });
    // the member list is new after a merge or a fresh join: the departures seen while apart are old news
    member.onMerged(v -> {
      departedAt.clear();
      sweep();
    });
    records.onChange(v -> sweep());
    member.vertx().setPeriodic(PERIOD_MS, id -> sweep());
    sweep();
  }

  /** How many records this node removed: for tests that check only one member sweeps. */
  int removed() {
    return removed;
  }

  private void sweep() {
    if (!member.isRunning() || !member.isOldestMember()) {
      return;
    }
    Set<String> live = member.liveMemberIds();
    departedAt.keySet().removeAll(live);
    List<Record> known = records.all();
    Set<String> owners = known.stream().map(ServiceInstance::ownerOf).filter(Objects::nonNull).collect(Collectors.toSet());
    departedAt.keySet().retainAll(owners);
    // members lost together are reported one by one, and a sweep set off meanwhile (a records change,
    // the period) would take the first for a loss alone and remove its records: the timer set on the
    // last departure sweeps once they are all in (seen on loopback, two crashes 11 ms apart)
    long now = System.currentTimeMillis();
    if (departedAt.values().stream().anyMatch(at -> at > now - SETTLE_MS)) {
      return;
    }
    if (mayBeTheMinority(owners, live, now)) {
      return;
    }
    for (Record record : known) {
      String owner = ServiceInstance.ownerOf(record);
      if (owner != null && !live.contains(owner) && removing.add(record.getRegistration())) {
        remove(record, owner);
      }
    }
  }

  /**
   * Whether more record owners left within {@link #HOLD_MS} than members remain: then this side of
   * a split (a member alone after a freeze, a poule expelled with a slow heartbeat) may be the small
   * one, and sweeping would empty its own view of services that are alive on the other side. Its
   * records stay until the sides merge, or the departures are old enough to be real.
   */
  private boolean mayBeTheMinority(Set<String> owners, Set<String> live, long now) {
    // an owner gone before its departure event arrived counts from now
    long losses = owners.stream()
      .filter(owner -> !live.contains(owner))
      .filter(owner -> departedAt.computeIfAbsent(owner, id -> now) > now - HOLD_MS)
      .count();
    int remaining = live.size();
    boolean hold = losses > remaining;
    if (hold && !holding) {
      LOG.warn("{} record owners left at once, more than the {} members left here: records kept for {} ms "
        + "in case this side is the minority of a split", losses, remaining, HOLD_MS);
      member.vertx().setTimer(HOLD_MS, id -> sweep());
    }
    holding = hold;
    return hold;
  }

  private void remove(Record record, String owner) {
    // a removal that lands late is either sent late (the sweep waited) or slow (its partition was
    // still moving): the log line says which
    long sentAt = System.currentTimeMillis();
    Long lostAt = departedAt.get(owner);
    records.store().removeIfOwnedBy(record.getRegistration(), owner)
      .onSuccess(outcome -> {
        if (outcome == RemoveIfOwnedBy.Outcome.ABSENT) {
          // removed meanwhile, and the event that says so has not arrived (or was lost)
          records.cache().forget(record.getRegistration());
          return;
        }
        if (outcome == RemoveIfOwnedBy.Outcome.KEPT) {
          // published again under a live node id meanwhile: its event brings the new record
          LOG.info("Kept record {} {}:{}: published again since its node {} departed", record.getName(),
            record.getLocation().getString("host"), record.getLocation().getValue("port"), owner);
          return;
        }
        removed++;
        member.metrics().swept();
        LOG.info("Removed record {} {}:{} of departed node {}: {}, the removal took {} ms",
          record.getName(), record.getLocation().getString("host"), record.getLocation().getValue("port"), owner,
          lostAt == null ? "its loss not seen here" : "sent " + (sentAt - lostAt) + " ms after its loss was seen",
          System.currentTimeMillis() - sentAt);
      })
      .onFailure(err -> {
        LOG.warn("Could not remove record {} of departed node {} yet: {}", record.getRegistration(), owner,
          err.getMessage());
        if (retryTimer < 0) {
          retryTimer = member.vertx().setTimer(RETRY_MS, id -> {
            retryTimer = -1;
            sweep();
          });
        }
      })
      .onComplete(done -> removing.remove(record.getRegistration()));
  }
}
