package disco.registry.records;

import disco.registry.cluster.ClusterMember;
import disco.registry.metrics.NodeMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.servicediscovery.Record;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The discovery records as one member keeps them: the cluster map ({@link RecordStore}), this
 * node's copy of it ({@link RecordCache}), the records this node publishes ({@link PublishedRecord}),
 * and the sweep of the records whose owner left ({@link RecordSweeper}). Nothing here waits on the
 * cluster: records are read from the copy, which the map's events keep current, and every write has
 * a timeout of its own.
 */
public final class ClusterRecords {

  /** How long {@link #liveOnceRead} waits for this node's first whole read before it answers with the copy as it is. */
  static final long FIRST_READ_WAIT_MS = 10_000;

  private final ClusterMember member;
  /** Where the copy, the sweeper and the published records keep their state. */
  private final Context context;
  private final RecordStore store;
  private final RecordCache cache;
  private final RecordSweeper sweeper;
  private final Map<String, PublishedRecord> published = new ConcurrentHashMap<>();
  /** What {@link #withdrawAll} took, by registration: its publisher's own unpublish then finds it done. */
  private final Map<String, Record> withdrawnWithTheNode = new ConcurrentHashMap<>();

  private ClusterRecords(ClusterMember member) {
    this.member = member;
    this.context = member.vertx().getOrCreateContext();
    this.store = new RecordStore(member);
    this.cache = new RecordCache(member, context, store);
    this.sweeper = new RecordSweeper(member, this);
  }

  /**
   * Starts keeping the records of {@code member}'s cluster. Blocks while it subscribes to the map's
   * events, so call it from the joining thread, never from an event loop.
   */
  public static ClusterRecords keep(ClusterMember member) {
    ClusterRecords records = new ClusterRecords(member);
    NodeMetrics metrics = member.metrics();
    metrics.rejected(() -> records.cache.rejected().size());
    records.cache.onChange(v -> metrics.records(records.all().stream()
      .collect(Collectors.groupingBy(Record::getName, Collectors.counting()))));
    // subscribing to the map's events waits for every member to register it, seconds when one of
    // them is gone but not yet removed: here, on the joining thread, never on the event loop
    records.cache.listenTo(member.hazelcast());
    member.onNewMember(records.cache::listenTo);
    records.context.runOnContext(v -> {
      records.cache.start();
      records.sweeper.start();
    });
    return records;
  }

  /** Every trusted record this node knows of, live or not, from its local copy of the map. */
  public List<Record> all() {
    return cache.records();
  }

  /**
   * The trusted records whose owner is a member of the cluster now: a departed member's records
   * leave this list the moment the member list says so, before any sweep.
   */
  public List<Record> live() {
    Set<String> members = member.liveMemberIds();
    return cache.records().stream().filter(record -> members.contains(ServiceInstance.ownerOf(record))).toList();
  }

  /**
   * {@link #live}, once this node's copy holds the cluster's records: a process that asks right after
   * it joined gets the records published before it came, not an empty list that its first whole read
   * then fills without a word. When no whole read succeeds (a cluster with no data member holds no
   * records), it answers after {@link #FIRST_READ_WAIT_MS} with the copy as it is.
   */
  public Future<List<Record>> liveOnceRead() {
    Future<Void> read = cache.firstWholeRead();
    if (read.isComplete()) {
      return Future.succeededFuture(live());
    }
    Promise<List<Record>> answer = Promise.promise();
    long timer = member.vertx().setTimer(FIRST_READ_WAIT_MS, id -> answer.tryComplete(live()));
    read.onSuccess(v -> {
      member.vertx().cancelTimer(timer);
      answer.tryComplete(live());
    });
    return answer.future();
  }

  /** Entries of the map that no reader trusts (unsigned, forged, malformed), with the reason for each. */
  public JsonArray rejected() {
    return cache.rejected();
  }

  /** Called on the caller's context whenever the local copy of the records changed; the returned action stops it. */
  public Runnable onChange(Handler<Void> handler) {
    Context subscriber = member.vertx().getOrCreateContext();
    return cache.onChange(v -> subscriber.runOnContext(handler));
  }

  /** As {@link #onChange}, told which records appeared, changed or went. */
  public Runnable onRecordChanges(Handler<List<RecordChange>> handler) {
    Context subscriber = member.vertx().getOrCreateContext();
    return cache.onRecordChanges(changes -> subscriber.runOnContext(v -> handler.handle(changes)));
  }

  /**
   * Publishes {@code record} for this node and keeps it published (see {@link PublishedRecord}),
   * under its registration, or a new one when it has none. Completes with the record as stored,
   * once the cluster took it; it is in this node's copy by then.
   */
  public Future<Record> publish(Record record) {
    String registration = record.getRegistration() == null ? UUID.randomUUID().toString() : record.getRegistration();
    if (published.containsKey(registration)) {
      return Future.failedFuture("record " + registration + " is published already: update it");
    }
    PublishedRecord kept = new PublishedRecord(member, store, cache, context, registration, record);
    published.put(registration, kept);
    return kept.publish().onFailure(err -> published.remove(registration, kept));
  }

  /** Rewrites a record this node published with what {@code record} says now. */
  public Future<Record> update(Record record) {
    PublishedRecord kept = record.getRegistration() == null ? null : published.get(record.getRegistration());
    if (kept == null) {
      return Future.failedFuture(notPublishedHere("update", record.getRegistration()));
    }
    return kept.update(record);
  }

  /**
   * Removes the record {@code registration}: one this node published is no longer kept; one whose
   * owner is gone is removed from the map. Completes with the record removed. The record of another
   * live node is refused: its owner keeps it and would write it again.
   */
  public Future<Record> unpublish(String registration) {
    PublishedRecord kept = published.remove(registration);
    if (kept != null) {
      return kept.withdraw();
    }
    Record gone = withdrawnWithTheNode.remove(registration);
    if (gone != null) {
      return Future.succeededFuture(gone);
    }
    Record record = cache.records().stream().filter(r -> registration.equals(r.getRegistration())).findFirst().orElse(null);
    if (record == null) {
      return Future.failedFuture("no record " + registration);
    }
    String owner = ServiceInstance.ownerOf(record);
    if (owner != null && member.liveMemberIds().contains(owner)) {
      return Future.failedFuture(notPublishedHere("unpublish", registration));
    }
    Promise<Record> removed = Promise.promise();
    store.remove(registration).onSuccess(v -> context.runOnContext(forget -> cache.forget(registration)))
      .map(record).onComplete(removed);
    return removed.future();
  }

  /**
   * Unpublishes every record this node keeps, as a node about to leave does first, so that callers
   * stop sending it work before it goes. Completes when each removal answered or failed.
   */
  public Future<Void> withdrawAll() {
    List<Future<Record>> removals = List.copyOf(published.keySet()).stream().map(registration -> {
      PublishedRecord kept = published.remove(registration);
      return kept == null ? Future.<Record>succeededFuture()
        : kept.withdraw().onSuccess(last -> withdrawnWithTheNode.put(registration, last));
    }).toList();
    return Future.join(removals).mapEmpty();
  }

  /** Whether this node published the record {@code registration}, and still keeps it. */
  public boolean isPublished(String registration) {
    PublishedRecord kept = published.get(registration);
    return kept != null && kept.isPublished();
  }

  private String notPublishedHere(String what, String registration) {
    return "cannot " + what + " record " + registration + ": another live node published it, and only its publisher may";
  }

  RecordStore store() {
    return store;
  }

  RecordCache cache() {
    return cache;
  }

  RecordSweeper sweeper() {
    return sweeper;
  }
}
