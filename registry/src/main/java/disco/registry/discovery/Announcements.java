package disco.registry.discovery;

import disco.registry.ClusterNode;
import disco.registry.records.RecordChange;
import io.vertx.core.Vertx;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.Status;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells a Vert.x instance's announce address of every record published, updated, unpublished or
 * swept anywhere in the cluster, as vertx-service-discovery announces its own: a publication with
 * the record's JSON and its status, without its registration; an update with the record's JSON; an
 * unpublication or a sweep with the record's last JSON, status {@code DOWN}, without its registration.
 * Stock vertx-service-discovery announces only what its own instance changed; here the changes of
 * the node's copy reach every node's listeners. A change this process's discovery made itself is
 * announced by that discovery, so it is left out here ({@link #expect}). One per node and address.
 */
final class Announcements {

  /** A change expected from this process's own discovery that never showed (same content) is forgotten after this. */
  static final long EXPECT_MS = 30_000;
  /** Weak keys: a node closed and dropped takes its announcements with it (tests make many nodes). */
  private static final Map<ClusterNode, Map<String, Announcements>> ALL = Collections.synchronizedMap(new WeakHashMap<>());

  private final Vertx vertx;
  private final String address;
  /** Registration -> until when a change of it is this process's own, which its discovery announces. */
  private final Map<String, Long> expected = new ConcurrentHashMap<>();

  private Announcements(Vertx vertx, String address) {
    this.vertx = vertx;
    this.address = address;
  }

  /** The announcements of {@code node} on {@code address} of {@code vertx}, started on first use. */
  static Announcements of(ClusterNode node, Vertx vertx, String address) {
    return ALL.computeIfAbsent(node, n -> new ConcurrentHashMap<>()).computeIfAbsent(address, a -> {
      Announcements announcements = new Announcements(vertx, a);
      node.clusterRecords().onRecordChanges(announcements::announce);
      return announcements;
    });
  }

  /** The next change of {@code registration} is this process's own: its discovery announces it. */
  void expect(String registration) {
    expected.put(registration, System.currentTimeMillis() + EXPECT_MS);
  }

  /** The change expected of {@code registration} did not happen (the operation failed). */
  void unexpect(String registration) {
    expected.remove(registration);
  }

  private void announce(List<RecordChange> changes) {
    long now = System.currentTimeMillis();
    for (RecordChange change : changes) {
      Record record = change.went() ? change.previous() : change.current();
      Long until = expected.remove(record.getRegistration());
      if (until != null && until >= now) {
        continue;
      }
      Record announced = new Record(record.toJson());
      if (change.went()) {
        announced.setRegistration(null).setStatus(Status.DOWN);
      } else if (change.appeared()) {
        announced.setRegistration(null);
      }
      vertx.eventBus().publish(address, announced.toJson());
    }
  }
}
