package disco.registry.discovery;

import disco.registry.ClusterNode;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscoveryOptions;
import io.vertx.servicediscovery.spi.ServiceDiscoveryBackend;
import java.util.List;
import java.util.UUID;

/**
 * vertx-service-discovery's backend over this platform's cluster, found by the stock
 * {@code ServiceDiscovery.create(vertx)} through {@code META-INF/services}: the records are the
 * cluster's, signed with its secret and stamped with their publisher's member id; a record is kept
 * published by its node (written again if a sweep or a split removed it) and swept by the oldest
 * member when its node leaves; {@code getRecords} and {@code getRecord} answer from the node's local
 * copy, with only the records whose publisher is a member now, and wait for the copy's first whole
 * read on a node that just joined. Every change anywhere in the cluster
 * is announced on this Vert.x's announce address ({@link Announcements}). No call holds a thread:
 * writes have timeouts of their own, reads wait for nothing but that first read.
 * <p>
 * The node is the one of this Vert.x instance, or one joined for it with the environment's settings
 * ({@link LocalNode}); the backend configuration may give them under the same names
 * ({@code CLUSTER_NAME}, {@code CLUSTER_SECRET_FILE}, ...), and names the announce address when it
 * is not the default ({@code announce-address}).
 */
public final class ClusterServiceDiscoveryBackend implements ServiceDiscoveryBackend {

  /** Where the backend configuration names the announce address, when it is not the default. */
  public static final String ANNOUNCE_ADDRESS = "announce-address";

  private Future<ClusterNode> node;
  private Future<Announcements> announcements;

  @Override
  public void init(Vertx vertx, JsonObject config) {
    JsonObject settings = config == null ? new JsonObject() : config;
    String address = settings.getString(ANNOUNCE_ADDRESS, ServiceDiscoveryOptions.DEFAULT_ANNOUNCE_ADDRESS);
    node = LocalNode.of(vertx, settings);
    announcements = node.map(joined -> Announcements.of(joined, vertx, address));
  }

  @Override
  public void store(Record record, Handler<AsyncResult<Record>> handler) {
    own(record.getRegistration(), (n, registration) -> n.clusterRecords().publish(record.setRegistration(registration)))
      .onComplete(handler);
  }

  @Override
  public void remove(Record record, Handler<AsyncResult<Record>> handler) {
    remove(record.getRegistration(), handler);
  }

  @Override
  public void remove(String registration, Handler<AsyncResult<Record>> handler) {
    if (registration == null) {
      handler.handle(Future.failedFuture("cannot unpublish a record without a registration"));
      return;
    }
    own(registration, (n, id) -> n.clusterRecords().unpublish(id)).onComplete(handler);
  }

  @Override
  public void update(Record record, Handler<AsyncResult<Void>> handler) {
    if (record.getRegistration() == null) {
      handler.handle(Future.failedFuture("cannot update a record without a registration: publish it first"));
      return;
    }
    own(record.getRegistration(), (n, id) -> n.clusterRecords().update(record)).<Void>mapEmpty().onComplete(handler);
  }

  @Override
  public void getRecords(Handler<AsyncResult<List<Record>>> handler) {
    node.compose(ClusterNode::liveRecordsOnceRead).onComplete(handler);
  }

  @Override
  public void getRecord(String registration, Handler<AsyncResult<Record>> handler) {
    node.compose(ClusterNode::liveRecordsOnceRead).map(records -> records.stream()
      .filter(record -> registration.equals(record.getRegistration())).findFirst().orElse(null)).onComplete(handler);
  }

  /** A change this process makes: its discovery announces it, so the cluster's announcements leave it out. */
  private Future<Record> own(String registration, Change change) {
    String id = registration == null ? UUID.randomUUID().toString() : registration;
    return announcements.compose(announcer -> {
      announcer.expect(id);
      return node.compose(n -> change.apply(n, id)).onFailure(err -> announcer.unexpect(id));
    });
  }

  @FunctionalInterface
  private interface Change {
    Future<Record> apply(ClusterNode node, String registration);
  }
}
