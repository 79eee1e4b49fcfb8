package disco.registry.records;

import disco.registry.cluster.ClusterMember;
import disco.registry.metrics.NodeMetrics;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.servicediscovery.Record;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The discovery records as one member keeps them: the cluster map ({@link RecordStore}), this
 * node's copy of it ({@link RecordCache}), and the sweep of the records whose owner left
 * ({@link RecordSweeper}). Nothing here waits on the cluster: records are read from the copy, which
 * the map's events keep current, and every write has a timeout of its own.
 */
public final class ClusterRecords {

  private final ClusterMember member;
  /** Where the copy and the sweeper keep their state. */
  private final Context context;
  private final RecordStore store;
  private final RecordCache cache;
  private final RecordSweeper sweeper;

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

  /** Entries of the map that no reader trusts (unsigned, forged, malformed), with the reason for each. */
  public JsonArray rejected() {
    return cache.rejected();
  }

  /** Called on the caller's context whenever the local copy of the records changed. */
  public void onChange(Handler<Void> handler) {
    Context subscriber = member.vertx().getOrCreateContext();
    cache.onChange(v -> subscriber.runOnContext(handler));
  }

  /** The record a service publishes for itself, describing it as {@code identity} at {@code host}. */
  public OwnRecord own(ServiceIdentity identity, String host) {
    return new OwnRecord(member, store, identity, host);
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
