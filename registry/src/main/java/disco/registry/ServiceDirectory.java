package disco.registry;

import disco.registry.records.ServiceInstance;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.Status;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live instances of a service: the records of this node's local copy whose owner is in the
 * member list. Recomputed whenever the records or the membership change, so a departed member's
 * instances go the moment the cluster says so, before any sweep. A membership event is only a cue to
 * look again: Hazelcast updates the list before it sends one, and its events may arrive out of order
 * (a member's departure told after its return), so the list is the one truth. Callbacks run on the
 * context that started the directory.
 */
public final class ServiceDirectory {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceDirectory.class);

  /** Told of every instance that appears or disappears. */
  public interface Listener {
    void added(ServiceInstance instance);

    void removed(ServiceInstance instance);
  }

  private final ClusterNode node;
  private final Predicate<String> names;
  private final Listener listener;
  private final Map<String, ServiceInstance> instances = new HashMap<>();
  private final Set<String> warned = new HashSet<>();
  private boolean stopped;

  /** {@code names}: which service names to hold ({@code name -> true} for all). */
  public ServiceDirectory(ClusterNode node, Predicate<String> names, Listener listener) {
    this.node = node;
    this.names = names;
    this.listener = listener;
  }

  public void start() {
    node.onRecordsChanged(v -> update());
    node.onMemberChange(change -> update());
    node.onMerged(v -> update());
    update();
  }

  public void stop() {
    stopped = true;
  }

  public Collection<ServiceInstance> instances() {
    return List.copyOf(instances.values());
  }

  private void update() {
    if (stopped) {
      return;
    }
    Set<String> live = node.liveMemberIds();
    Map<String, ServiceInstance> seen = new HashMap<>();
    for (Record record : node.records()) {
      if (!names.test(record.getName())) {
        continue;
      }
      ServiceInstance.from(record).ifPresentOrElse(instance -> {
        if (live.contains(instance.nodeId())) {
          seen.put(instance.registration(), instance);
        }
      }, () -> warnOnce(record));
    }
    // an instance whose record changed (a new owner id after a merge) is removed, then added anew
    List.copyOf(instances.values()).stream()
      .filter(instance -> !instance.equals(seen.get(instance.registration())))
      .forEach(this::remove);
    seen.values().stream()
      .filter(instance -> !instances.containsKey(instance.registration()))
      .forEach(instance -> {
        instances.put(instance.registration(), instance);
        listener.added(instance);
      });
  }

  private void remove(ServiceInstance instance) {
    if (instances.remove(instance.registration()) != null) {
      listener.removed(instance);
    }
  }

  private void warnOnce(Record record) {
    if (record.getStatus() == Status.UP && warned.add(String.valueOf(record.getRegistration()))) {
      LOG.warn("Skipping malformed or foreign record {} ({}): not an HTTP endpoint with a node id",
        record.getRegistration(), record.getName());
    }
  }
}
