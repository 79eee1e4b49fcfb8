package disco.registry;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.LifecycleEvent.LifecycleState;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * A clustered Vert.x and its service discovery, with records kept in the Hazelcast cluster that the
 * nodes form themselves. Every node is a peer; membership changes are reported on this node's context.
 */
public final class ClusterNode {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);
  /** Where vertx-service-discovery's default backend keeps records: key = registration, value = JSON. */
  static final String REGISTRY_MAP = "service.registry";

  /** A member joined ({@code joined}) or left the cluster. */
  public record MemberChange(String nodeId, String address, boolean lite, boolean joined) {
  }

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final ServiceDiscovery discovery;
  private final Context context;
  private final List<Handler<MemberChange>> memberHandlers = new CopyOnWriteArrayList<>();
  private final List<Handler<Void>> mergeHandlers = new CopyOnWriteArrayList<>();
  private final RecordSweeper sweeper;
  private final Set<String> malformed = ConcurrentHashMap.newKeySet();
  private volatile boolean closing;
  private volatile String nodeId;

  private ClusterNode(Vertx vertx, HazelcastClusterManager manager) {
    this.vertx = vertx;
    this.hazelcast = manager.getHazelcastInstance();
    this.discovery = ServiceDiscovery.create(vertx);
    this.context = vertx.getOrCreateContext();
    this.nodeId = hazelcast.getCluster().getLocalMember().getUuid().toString();
    hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        report(event.getMember(), true);
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        report(event.getMember(), false);
      }
    });
    hazelcast.getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleState.MERGED && !closing) {
        context.runOnContext(v -> mergeHandlers.forEach(handler -> handler.handle(null)));
      }
    });
    this.sweeper = new RecordSweeper(this);
  }

  /** Joins (or forms) the cluster described by {@code config}. */
  public static Future<ClusterNode> start(ClusterConfig config) {
    HazelcastClusterManager manager = new HazelcastClusterManager(HazelcastSettings.build(config));
    // pinned: by default the event bus binds the first interface's address, often the wrong network
    EventBusOptions eventBus = new EventBusOptions().setHost(config.host()).setClusterPublicHost(config.host());
    return Vertx.builder()
      .with(new VertxOptions().setEventBusOptions(eventBus))
      .withClusterManager(manager)
      .buildClustered()
      .map(vertx -> new ClusterNode(vertx, manager));
  }

  public Vertx vertx() {
    return vertx;
  }

  public ServiceDiscovery discovery() {
    return discovery;
  }

  /**
   * This node's Hazelcast member id (membership events speak of member ids, not of Vert.x's own
   * node id). Read each time: Hazelcast gives a node a new id when it merges back after a split.
   */
  public String nodeId() {
    try {
      nodeId = hazelcast.getCluster().getLocalMember().getUuid().toString();
    } catch (HazelcastInstanceNotActiveException e) {
      // shut down or crashed: the last id it had is still the one its records name
    }
    return nodeId;
  }

  public boolean isRunning() {
    return hazelcast.getLifecycleService().isRunning();
  }

  HazelcastInstance hazelcast() {
    return hazelcast;
  }

  RecordSweeper sweeper() {
    return sweeper;
  }

  /** Called on this node's context for each member that joins or leaves. */
  public void onMemberChange(Handler<MemberChange> handler) {
    memberHandlers.add(handler);
  }

  /** Called on this node's context after a split brain healed: records may have come back or gone. */
  public void onMerged(Handler<Void> handler) {
    mergeHandlers.add(handler);
  }

  public Set<String> liveMemberIds() {
    return hazelcast.getCluster().getMembers().stream()
      .map(member -> member.getUuid().toString())
      .collect(Collectors.toSet());
  }

  /** Whether this node is the oldest member, the one that cleans up after departed nodes. */
  boolean isOldestMember() {
    Set<Member> members = hazelcast.getCluster().getMembers();
    return !members.isEmpty() && members.iterator().next().localMember();
  }

  /**
   * Every record in the cluster, whatever its status. Read from the map itself rather than through
   * {@code ServiceDiscovery.getRecords}, which fails as a whole on one entry that is not JSON.
   */
  public Future<List<Record>> records() {
    return registry().compose(AsyncMap::entries).map(entries -> {
      List<Record> records = new ArrayList<>(entries.size());
      entries.forEach((key, value) -> parse(key, value).ifPresent(records::add));
      return records;
    });
  }

  /** The record stored under {@code registration}: one key read, not the whole map. */
  Future<Optional<Record>> record(String registration) {
    return registry().compose(map -> map.get(registration))
      .map(value -> value == null ? Optional.<Record>empty() : parse(registration, value));
  }

  private Future<AsyncMap<String, Object>> registry() {
    return vertx.sharedData().getClusterWideMap(REGISTRY_MAP);
  }

  private Optional<Record> parse(String key, Object value) {
    try {
      return Optional.of(new Record(value instanceof JsonObject json ? json : new JsonObject(String.valueOf(value))));
    } catch (RuntimeException e) {
      if (malformed.add(key)) {
        LOG.warn("Skipping malformed entry {} in the discovery map: {}", key, e.getMessage());
      }
      return Optional.empty();
    }
  }

  public JsonArray membersJson() {
    JsonArray members = new JsonArray();
    for (Member member : hazelcast.getCluster().getMembers()) {
      members.add(new JsonObject()
        .put("id", member.getUuid().toString())
        .put("address", member.getAddress().getHost() + ":" + member.getAddress().getPort())
        .put("lite", member.isLiteMember())
        .put("self", member.localMember()));
    }
    return members;
  }

  /** Leaves the cluster gracefully: Vert.x switched off Hazelcast's own shutdown hook. */
  public Future<Void> close() {
    closing = true;
    sweeper.stop();
    discovery.close();
    return vertx.close();
  }

  private void report(Member member, boolean joined) {
    if (closing) {
      return;
    }
    MemberChange change = new MemberChange(member.getUuid().toString(),
      member.getAddress().getHost() + ":" + member.getAddress().getPort(), member.isLiteMember(), joined);
    LOG.info("Member {} {} ({}{}), {} members now", joined ? "joined" : "left", change.address(), change.nodeId(),
      change.lite() ? ", lite" : "", hazelcast.getCluster().getMembers().size());
    context.runOnContext(v -> memberHandlers.forEach(handler -> handler.handle(change)));
  }
}
