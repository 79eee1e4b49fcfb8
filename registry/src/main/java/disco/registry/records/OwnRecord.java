package disco.registry.records;

import disco.registry.cluster.ClusterMember;
import disco.registry.security.ClusterSecret;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one record a service publishes for itself, under one registration id for its whole life. It
 * keeps it present and true: if a sweep or a split removed it, or it names a member id this node no
 * longer has (Hazelcast gives a node that merges back a new one), the owner writes it again.
 * Confined to the context that publishes.
 */
public final class OwnRecord {

  private static final Logger LOG = LoggerFactory.getLogger(OwnRecord.class);
  public static final long CHECK_PERIOD_MS = 2_000;
  static final long RETRY_MS = 1_000;

  private final ClusterMember member;
  private final RecordStore store;
  private final ServiceIdentity identity;
  private final String host;
  private final String registration = UUID.randomUUID().toString();
  private final Promise<Record> firstWrite = Promise.promise();
  private Context context;
  private int port;
  private long timerId = -1;
  private boolean writing;
  private boolean withdrawn;
  private volatile boolean published;

  OwnRecord(ClusterMember member, RecordStore store, ServiceIdentity identity, String host) {
    this.member = member;
    this.store = store;
    this.identity = identity;
    this.host = host;
  }

  public boolean isPublished() {
    return published;
  }

  public String registration() {
    return registration;
  }

  /**
   * Publishes the record for the HTTP endpoint listening on {@code port} and keeps it present. The
   * future completes with the first successful write: a cluster that cannot take it yet is retried.
   */
  public Future<Record> publish(int port) {
    this.port = port;
    // the caller's context, or one of its own for a caller outside Vert.x (tests)
    context = member.vertx().getOrCreateContext();
    context.runOnContext(v -> {
      member.onMerged(merged -> check());
      timerId = member.vertx().setPeriodic(CHECK_PERIOD_MS, id -> check());
      write();
    });
    return firstWrite.future();
  }

  /** Removes the record: from now on nobody should send this node new work. */
  public Future<Void> unpublish() {
    Promise<Void> done = Promise.promise();
    Context on = context == null ? member.vertx().getOrCreateContext() : context;
    on.runOnContext(v -> {
      withdrawn = true;
      published = false;
      member.vertx().cancelTimer(timerId);
      store.remove(registration)
        .onSuccess(present -> {
          if (present) {
            LOG.info("Unpublished {} record {}", identity.name(), registration);
          }
        })
        .<Void>mapEmpty()
        .onComplete(done);
    });
    return done.future();
  }

  private Record current() {
    return member.secret().sign(ServiceInstance.record(registration, identity, host, port, member.nodeId()));
  }

  private void write() {
    if (withdrawn || writing) {
      return;
    }
    writing = true;
    Record record = current();
    store.put(registration, record.toJson().encode())
      .onComplete(done -> {
        writing = false;
        member.dataHealth().ownRecordAnswered(done.succeeded());
      })
      .onSuccess(v -> {
        if (withdrawn) {
          // shutdown began while writing: do not leave the record behind
          store.remove(registration);
          return;
        }
        published = true;
        LOG.info("Published {} record {} at {}:{} (node {})", identity.name(), registration, host, port,
          ServiceInstance.ownerOf(record));
        firstWrite.tryComplete(record);
      })
      .onFailure(err -> {
        LOG.warn("Could not publish {} record {} yet, trying again: {}", identity.name(), registration,
          err.getMessage());
        member.vertx().setTimer(RETRY_MS, id -> write());
      });
  }

  /**
   * One key read: writes the record again when it is gone, names a former member id of this node, or
   * is not the one this node signed (overwritten by someone without the secret).
   */
  private void check() {
    if (withdrawn || writing || !firstWrite.future().isComplete()) {
      return;
    }
    store.get(registration).onComplete(read -> member.dataHealth().ownRecordAnswered(read.succeeded())).onSuccess(stored -> {
      String fault = stored == null ? "missing" : faultIn(stored);
      if (withdrawn || fault == null) {
        return;
      }
      LOG.warn("Own {} record {} is {}: publishing it again", identity.name(), registration, fault);
      member.metrics().republished();
      write();
    });
  }

  /** What is wrong with the stored copy of this node's record, or null when nothing is. */
  private String faultIn(String json) {
    Record stored;
    try {
      stored = new Record(new JsonObject(json));
    } catch (RuntimeException e) {
      return "not a record";
    }
    if (member.secret().verify(stored) != ClusterSecret.Verdict.VALID) {
      return "not signed with this cluster's secret";
    }
    return member.nodeId().equals(ServiceInstance.ownerOf(stored)) ? null : "naming a former node id";
  }
}
