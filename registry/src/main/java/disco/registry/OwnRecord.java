package disco.registry;

import io.vertx.core.Future;
import io.vertx.servicediscovery.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one record a service publishes for itself. It keeps it present: if a sweep or a split-brain
 * merge lost it, the owner publishes it again.
 */
public final class OwnRecord {

  private static final Logger LOG = LoggerFactory.getLogger(OwnRecord.class);
  static final long CHECK_PERIOD_MS = 2_000;

  private final ClusterNode node;
  private final ServiceIdentity identity;
  private final String host;
  private Record published;
  private int port;
  private long timerId = -1;
  private boolean withdrawn;

  public OwnRecord(ClusterNode node, ServiceIdentity identity, String host) {
    this.node = node;
    this.identity = identity;
    this.host = host;
  }

  public boolean isPublished() {
    return published != null;
  }

  /** Publishes the record for the HTTP endpoint listening on {@code port} and starts watching it. */
  public Future<Record> publish(int port) {
    this.port = port;
    node.onMerged(v -> ensurePresent());
    timerId = node.vertx().setPeriodic(CHECK_PERIOD_MS, id -> ensurePresent());
    return publishNow();
  }

  /** Removes the record: from now on nobody should send this node new work. */
  public Future<Void> unpublish() {
    withdrawn = true;
    node.vertx().cancelTimer(timerId);
    if (published == null) {
      return Future.succeededFuture();
    }
    String registration = published.getRegistration();
    published = null;
    return node.discovery().unpublish(registration)
      .onSuccess(v -> LOG.info("Unpublished {} record {}", identity.name(), registration));
  }

  private Future<Record> publishNow() {
    Record record = ServiceInstance.record(identity, host, port, node.nodeId());
    return node.discovery().publish(record).onSuccess(done -> {
      if (withdrawn) {
        // shutdown began while publishing: do not leave the record behind
        node.discovery().unpublish(done.getRegistration());
      } else {
        published = done;
        LOG.info("Published {} record {} at {}:{} (node {})", identity.name(), done.getRegistration(),
          host, port, node.nodeId());
      }
    });
  }

  /** Publishes again when the record is gone, or names an owner id this node no longer has (after a merge). */
  private void ensurePresent() {
    if (published == null || withdrawn) {
      return;
    }
    Record mine = published;
    node.record(mine.getRegistration()).onSuccess(stored -> {
      boolean current = stored.filter(record -> node.nodeId().equals(ServiceInstance.ownerOf(record))).isPresent();
      if (current || withdrawn || published != mine) {
        return;
      }
      LOG.warn("Own {} record {} is missing or names a former node id: publishing it again", identity.name(),
        mine.getRegistration());
      published = null;
      node.discovery().unpublish(mine.getRegistration());
      publishNow();
    });
  }
}
