package disco.registry.events;

import disco.registry.ClusterNode;
import disco.registry.records.ServiceInstance;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What happened to the cluster, as this node saw it, with timestamps: members joining and leaving,
 * records published, unpublished (by their owner) or swept (after their owner left), merges after a
 * split, and the versions of each service changing. Services add their own events (poule: calls
 * retried and failed). Keeps the last {@link #CAPACITY}; each event has a sequence number so a reader
 * can ask for what it has not seen. Confined to the context that started it.
 */
public final class ClusterTimeline {

  public static final int CAPACITY = 500;

  private final ClusterNode node;
  private final ArrayDeque<JsonObject> events = new ArrayDeque<>();
  /** The records as last seen, by registration. */
  private Map<String, ServiceInstance> known = Map.of();
  private Map<String, Set<String>> versions = Map.of();
  private long sequence;

  public ClusterTimeline(ClusterNode node) {
    this.node = node;
  }

  /** Takes the records as they are now without an event each, then follows every change. */
  public void start() {
    known = instances();
    versions = versionsOf(known);
    add("started", "watching the cluster: " + node.liveMemberIds().size() + " members, " + known.size()
      + " records", new JsonObject());
    node.onMemberChange(change -> {
      ServiceInstance owner = ownedBy(change.nodeId());
      String who = change.address() + (change.lite() ? " (lite)" : "")
        + (owner == null ? "" : " (" + owner.name() + " " + owner.hostname() + ")");
      add(change.joined() ? "member-joined" : "member-left", "member " + (change.joined() ? "joined: " : "left: ") + who,
        new JsonObject().put("member", change.nodeId()).put("address", change.address())
          .put("host", owner == null ? null : owner.hostname()));
    });
    node.onMerged(v -> add("merged", "merged back into the cluster after a split: " + node.liveMemberIds().size()
      + " members", new JsonObject()));
    node.onRecordsChanged(v -> recordsChanged());
  }

  /** Adds an event of the service's own ({@code kind} in kebab case, {@code text} for a person). */
  public void add(String kind, String text, JsonObject fields) {
    JsonObject event = fields.copy().put("seq", ++sequence).put("time", System.currentTimeMillis())
      .put("kind", kind).put("text", text);
    events.addLast(event);
    while (events.size() > CAPACITY) {
      events.removeFirst();
    }
  }

  /** The events kept that came after sequence number {@code seq} (0: all of them), oldest first. */
  public JsonArray since(long seq) {
    JsonArray list = new JsonArray();
    events.stream().filter(event -> event.getLong("seq") > seq).forEach(list::add);
    return list;
  }

  private void recordsChanged() {
    Map<String, ServiceInstance> now = instances();
    Set<String> live = node.liveMemberIds();
    known.forEach((registration, before) -> {
      ServiceInstance after = now.get(registration);
      if (after == null) {
        boolean swept = !live.contains(before.nodeId());
        add(swept ? "record-swept" : "record-unpublished", "record " + (swept ? "swept (its member left): " : "unpublished: ")
          + describe(before), fields(before));
      } else if (!after.nodeId().equals(before.nodeId())) {
        add("record-republished", "record written again under a new member id: " + describe(after), fields(after));
      }
    });
    now.forEach((registration, instance) -> {
      if (!known.containsKey(registration)) {
        add("record-published", "record published: " + describe(instance), fields(instance));
      }
    });
    Map<String, Set<String>> nowVersions = versionsOf(now);
    nowVersions.forEach((service, set) -> {
      Set<String> before = versions.get(service);
      if (before != null && !before.equals(set)) {
        add("versions", service + " versions now " + String.join(", ", set) + " (were " + String.join(", ", before) + ")",
          new JsonObject().put("service", service).put("versions", new JsonArray(List.copyOf(set))));
      }
    });
    known = now;
    versions = nowVersions;
  }

  private Map<String, ServiceInstance> instances() {
    Map<String, ServiceInstance> instances = new HashMap<>();
    node.records().forEach(record -> ServiceInstance.from(record)
      .ifPresent(instance -> instances.put(instance.registration(), instance)));
    return instances;
  }

  private ServiceInstance ownedBy(String memberId) {
    return known.values().stream().filter(instance -> instance.nodeId().equals(memberId)).findFirst().orElse(null);
  }

  private static Map<String, Set<String>> versionsOf(Map<String, ServiceInstance> instances) {
    return instances.values().stream().collect(Collectors.groupingBy(ServiceInstance::name, TreeMap::new,
      Collectors.mapping(ServiceInstance::version, Collectors.toCollection(TreeSet::new))));
  }

  private static String describe(ServiceInstance instance) {
    return instance.name() + " " + instance.hostname() + " " + instance.version() + " at " + instance.host() + ":"
      + instance.port() + (instance.swarmNode().isEmpty() ? "" : " on " + instance.swarmNode());
  }

  private static JsonObject fields(ServiceInstance instance) {
    return new JsonObject().put("service", instance.name()).put("host", instance.hostname())
      .put("version", instance.version()).put("node", instance.swarmNode());
  }
}
