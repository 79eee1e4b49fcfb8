package disco.registry;

import disco.registry.bus.ClusterBus;
import disco.registry.cluster.ClusterMember;
import disco.registry.cluster.ClusterMember.MemberChange;
import disco.registry.config.ClusterConfig;
import disco.registry.metrics.NodeMetrics;
import disco.registry.records.ClusterRecords;
import disco.registry.records.RecordTasks;
import disco.registry.records.ServiceInstance;
import disco.registry.security.ClusterSecret;
import com.hazelcast.cluster.Member;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A node of the platform, what a service holds: its member of the Hazelcast cluster
 * ({@link ClusterMember}) and the discovery records it keeps with the others ({@link ClusterRecords}),
 * on a plain (not clustered) Vert.x that serves HTTP, and, once started, the event bus across the
 * cluster on a clustered Vert.x of its own ({@link ClusterBus}). A process has one node per Vert.x instance at most: the
 * discovery backend and the address resolver of that Vert.x find it ({@link #of(Vertx)}). Events are
 * delivered on the context of whoever subscribed.
 */
public final class ClusterNode {

  private static final Map<Vertx, ClusterNode> BY_VERTX = new ConcurrentHashMap<>();

  private final ClusterMember member;
  private final ClusterRecords records;
  private volatile ClusterBus bus;

  private ClusterNode(ClusterMember member, ClusterRecords records) {
    this.member = member;
    this.records = records;
  }

  /**
   * Joins (or forms) the cluster described by {@code config}, whose members share {@code secret}, on
   * a Vert.x of the node's own, closed with it. Blocks while Hazelcast joins, so call it from a main
   * or test thread, never from an event loop.
   */
  public static ClusterNode join(ClusterConfig cluster, ClusterSecret secret) {
    return join(cluster, secret, new NodeMetrics());
  }

  /** As {@link #join(ClusterConfig, ClusterSecret)}, Vert.x reporting into {@code metrics}. */
  public static ClusterNode join(ClusterConfig cluster, ClusterSecret secret, NodeMetrics metrics) {
    return of(ClusterMember.join(cluster, secret, metrics, RecordTasks.serializers(), null));
  }

  /**
   * As {@link #join(ClusterConfig, ClusterSecret)}, on {@code vertx}, a user's, which the node leaves
   * open when it closes. Blocks as the join does.
   */
  public static ClusterNode join(Vertx vertx, ClusterConfig cluster, ClusterSecret secret) {
    return of(ClusterMember.join(cluster, secret, new NodeMetrics(), RecordTasks.serializers(), vertx));
  }

  /** The node of a member that has just joined. Blocks as {@link ClusterRecords#keep} does. */
  static ClusterNode of(ClusterMember member) {
    ClusterRecords records = ClusterRecords.keep(member);
    member.watch();
    ClusterNode node = new ClusterNode(member, records);
    if (BY_VERTX.putIfAbsent(member.vertx(), node) != null) {
      throw new IllegalStateException("this Vert.x instance already holds a cluster node");
    }
    return node;
  }

  /** The node that runs on {@code vertx}, if one does. */
  public static Optional<ClusterNode> of(Vertx vertx) {
    return Optional.ofNullable(BY_VERTX.get(vertx));
  }

  /**
   * Starts this node's event bus across the cluster (a clustered Vert.x on its member, see
   * {@link ClusterBus}) on the first call; completes once it is up. Services started by
   * {@code ServiceLauncher} have it started, and do not wait for it.
   */
  public synchronized Future<ClusterBus> startBus() {
    if (bus == null) {
      bus = ClusterBus.start(member);
    }
    return bus.up();
  }

  /** The event bus across the cluster, once {@link #startBus} was called: up or on its way. */
  public ClusterBus bus() {
    ClusterBus started = bus;
    if (started == null) {
      throw new IllegalStateException("this node's event bus is not started (ClusterNode.startBus)");
    }
    return started;
  }

  /** The Hazelcast member, for what acts on the cluster itself rather than on records (tests do). */
  public ClusterMember member() {
    return member;
  }

  /** The records this node keeps with the others, for what reaches below the ones listed here. */
  public ClusterRecords clusterRecords() {
    return records;
  }

  public Vertx vertx() {
    return member.vertx();
  }

  /** This node's Hazelcast member id: a new one after it merged back or joined anew. */
  public String nodeId() {
    return member.nodeId();
  }

  /** This process's meters: Vert.x's, the JVM's and the platform's; services add their own. */
  public NodeMetrics metrics() {
    return member.metrics();
  }

  public boolean isRunning() {
    return member.isRunning();
  }

  /** Whether this node is leaving a cluster it was stuck apart in to join the others anew (seconds). */
  public boolean isRejoining() {
    return member.isRejoining();
  }

  /** Every trusted record this node knows of, live or not, from its local copy of the map. */
  public List<Record> records() {
    return records.all();
  }

  /** The trusted records whose owner is a member now (see {@link ClusterRecords#live}). */
  public List<Record> liveRecords() {
    return records.live();
  }

  /** {@link #liveRecords}, once this node's copy holds the cluster's records (see {@link ClusterRecords#liveOnceRead}). */
  public Future<List<Record>> liveRecordsOnceRead() {
    return records.liveOnceRead();
  }

  /** The HTTP endpoints of the service {@code name} among {@link #liveRecords}: what its callers may call now. */
  public List<ServiceInstance> liveInstances(String name) {
    return records.live().stream().filter(record -> name.equals(record.getName()))
      .map(ServiceInstance::from).flatMap(Optional::stream).toList();
  }

  /** Entries of the map that no reader trusts (unsigned, forged, malformed), with the reason for each. */
  public JsonArray rejectedRecords() {
    return records.rejected();
  }

  /** Called on the caller's context for each member that joins or leaves; the returned action stops it. */
  public Runnable onMemberChange(Handler<MemberChange> handler) {
    return member.onMemberChange(handler);
  }

  /** Called on the caller's context after a split brain healed: records may have come back or gone. */
  public Runnable onMerged(Handler<Void> handler) {
    return member.onMerged(handler);
  }

  /** Called on the caller's context whenever the local copy of the records changed; the returned action stops it. */
  public Runnable onRecordsChanged(Handler<Void> handler) {
    return records.onChange(handler);
  }

  public Set<String> liveMemberIds() {
    return member.liveMemberIds();
  }

  /**
   * The members, oldest first, each with what its record says of it (service, host name, swarm
   * node) when it publishes one: so a reader can place members on nodes without the Docker socket.
   */
  public JsonArray membersJson() {
    Map<String, ServiceInstance> published = new HashMap<>();
    records().forEach(record -> ServiceInstance.from(record).ifPresent(instance -> published.put(instance.nodeId(), instance)));
    JsonArray members = new JsonArray();
    for (Member each : member.members()) {
      ServiceInstance instance = published.get(each.getUuid().toString());
      members.add(new JsonObject()
        .put("id", each.getUuid().toString())
        .put("address", each.getAddress().getHost() + ":" + each.getAddress().getPort())
        .put("lite", each.isLiteMember())
        .put("self", each.localMember())
        // the oldest member is Hazelcast's master, and the one that sweeps records
        .put("oldest", members.isEmpty())
        .put("service", instance == null ? null : instance.name())
        .put("hostname", instance == null ? null : instance.hostname())
        .put("swarmNode", instance == null ? null : instance.swarmNode()));
    }
    return members;
  }

  /**
   * Stops the event bus and Vert.x, then leaves the cluster gracefully (Hazelcast hands its
   * partitions over first). Blocks: call it from a shutdown hook or a test thread.
   */
  public void close(long timeout, TimeUnit unit) {
    BY_VERTX.remove(member.vertx(), this);
    ClusterBus started = bus;
    if (started != null) {
      started.close(timeout, unit);
    }
    member.close(timeout, unit);
  }
}
