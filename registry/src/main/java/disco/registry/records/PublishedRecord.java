package disco.registry.records;

import disco.registry.cluster.ClusterMember;
import disco.registry.security.ClusterSecret;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.Status;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record this node publishes, kept present and true under one registration for as long as it is
 * published: stamped with this node's member id and signed with the cluster's secret at each write,
 * and written again if a sweep or a split removed it, if it names a member id this node no longer
 * has (Hazelcast gives a node that merges back a new one), or if it is not the one this node signed
 * (RecordCleanupTest). Each write is seen at once in this node's copy. Confined to the node's context.
 */
final class PublishedRecord {

  private static final Logger LOG = LoggerFactory.getLogger(PublishedRecord.class);
  static final long CHECK_PERIOD_MS = 2_000;
  static final long RETRY_MS = 1_000;
  /** A cluster that takes no write for this long fails the publication, which then stops trying. */
  static final long PUBLISH_TIMEOUT_MS = 60_000;

  private final ClusterMember member;
  private final RecordStore store;
  private final RecordCache cache;
  private final Context context;
  private final String registration;
  private final Promise<Record> firstWrite = Promise.promise();
  private Record content;
  private long timerId = -1;
  private boolean writing;
  private boolean withdrawn;
  private Runnable stopMergeWatch = () -> { };
  private volatile boolean published;

  /** {@code content}: the record as its publisher gave it, under {@code registration}. */
  PublishedRecord(ClusterMember member, RecordStore store, RecordCache cache, Context context, String registration,
                  Record content) {
    this.member = member;
    this.store = store;
    this.cache = cache;
    this.context = context;
    this.registration = registration;
    this.content = content;
  }

  String registration() {
    return registration;
  }

  /** Whether its first write succeeded and it has not been withdrawn since. */
  boolean isPublished() {
    return published;
  }

  /**
   * Writes the record and keeps it present. The future completes with the record as stored after the
   * first successful write; a cluster that cannot take it yet is tried again, for
   * {@link #PUBLISH_TIMEOUT_MS} at most.
   */
  Future<Record> publish() {
    context.runOnContext(v -> {
      stopMergeWatch = member.onMerged(merged -> check());
      timerId = member.vertx().setPeriodic(CHECK_PERIOD_MS, id -> check());
      write();
    });
    return firstWrite.future()
      .timeout(PUBLISH_TIMEOUT_MS, TimeUnit.MILLISECONDS)
      .recover(err -> withdraw().transform(done -> Future.failedFuture(
        "the cluster took no write of record " + registration + " (" + content.getName() + ") within "
          + PUBLISH_TIMEOUT_MS + " ms: " + err.getMessage())));
  }

  /** Replaces what the record says, under the same registration, and writes it now. */
  Future<Record> update(Record newContent) {
    Promise<Record> done = Promise.promise();
    context.runOnContext(v -> {
      if (withdrawn) {
        done.fail("record " + registration + " was unpublished");
        return;
      }
      content = new Record(newContent.toJson());
      Record record = current();
      String json = record.toJson().encode();
      store.put(registration, json)
        .onSuccess(written -> cache.written(registration, json))
        .map(record)
        .onComplete(done);
    });
    return done.future();
  }

  /** Stops keeping the record and removes it: from now on nobody should send this node new work. */
  Future<Record> withdraw() {
    Promise<Record> done = Promise.promise();
    context.runOnContext(v -> {
      Record last = current();
      withdrawn = true;
      published = false;
      stopMergeWatch.run();
      member.vertx().cancelTimer(timerId);
      store.remove(registration)
        .onSuccess(present -> {
          cache.forget(registration);
          if (present) {
            LOG.info("Unpublished {} record {}", content.getName(), registration);
          }
        })
        .map(last)
        .onComplete(done);
    });
    return done.future();
  }

  /** The record as this node writes it now: its member id, UP unless its publisher said otherwise, signed. */
  private Record current() {
    Record record = new Record(content.toJson()).setRegistration(registration);
    if (record.getStatus() == null || record.getStatus() == Status.UNKNOWN) {
      record.setStatus(Status.UP);
    }
    JsonObject metadata = record.getMetadata() == null ? new JsonObject() : record.getMetadata();
    record.setMetadata(metadata.put(ServiceInstance.NODE_ID, member.nodeId()));
    return member.secret().sign(record);
  }

  private void write() {
    if (withdrawn || writing) {
      return;
    }
    writing = true;
    Record record = current();
    String json = record.toJson().encode();
    store.put(registration, json)
      .onComplete(done -> {
        writing = false;
        member.dataHealth().ownRecordAnswered(done.succeeded());
      })
      .onSuccess(v -> {
        if (withdrawn) {
          // unpublished while writing: do not leave the record behind
          store.remove(registration);
          return;
        }
        cache.written(registration, json);
        published = true;
        LOG.info("Published {} record {}{} (node {})", record.getName(), registration, where(record),
          ServiceInstance.ownerOf(record));
        firstWrite.tryComplete(record);
      })
      .onFailure(err -> {
        if (withdrawn) {
          return;
        }
        LOG.warn("Could not publish {} record {} yet, trying again: {}", record.getName(), registration, err.getMessage());
        member.vertx().setTimer(RETRY_MS, id -> write());
      });
  }

  private static String where(Record record) {
    JsonObject location = record.getLocation();
    return location == null || location.getString("host") == null ? ""
      : " at " + location.getString("host") + ":" + location.getValue("port");
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
      LOG.warn("Own {} record {} is {}: publishing it again", content.getName(), registration, fault);
      member.metrics().republished();
      write();
    });
  }

  /** What is wrong with the stored copy of this record, or null when nothing is. */
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
