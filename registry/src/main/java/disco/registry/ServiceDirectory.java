package disco.registry;

import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscoveryOptions;
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
 * The live instances of a service, held in memory so that callers never read the cluster map per
 * request. Announcements are hints (they carry no registration id and are not replayed), so each one
 * triggers a full read, as does a periodic reconciliation; a departed member's instances go at once.
 * All methods and callbacks run on the node's context.
 */
public final class ServiceDirectory {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceDirectory.class);
  static final long RECONCILE_MS = 2_000;

  /** Told of every instance that appears or disappears. */
  public interface Listener {
    void added(ServiceInstance instance);

    void removed(ServiceInstance instance);
  }

  private final ClusterNode node;
  private final Predicate<String> names;
  private final Listener listener;
  private final Map<String, ServiceInstance> instances = new HashMap<>();
  private final Set<String> departedNodes = new HashSet<>();
  private final Set<String> warned = new HashSet<>();
  private MessageConsumer<Object> announcements;
  private long timerId;
  private boolean refreshing;
  private boolean refreshAgain;
  private boolean readFailing;

  /** {@code names}: which service names to hold ({@code name -> true} for all). */
  public ServiceDirectory(ClusterNode node, Predicate<String> names, Listener listener) {
    this.node = node;
    this.names = names;
    this.listener = listener;
  }

  public void start() {
    String address = new ServiceDiscoveryOptions().getAnnounceAddress();
    announcements = node.vertx().eventBus().consumer(address, message -> refresh());
    timerId = node.vertx().setPeriodic(RECONCILE_MS, id -> refresh());
    node.onMemberChange(change -> {
      if (!change.joined()) {
        departedNodes.add(change.nodeId());
        List.copyOf(instances.values()).stream()
          .filter(instance -> instance.nodeId().equals(change.nodeId()))
          .forEach(this::remove);
      }
    });
    node.onMerged(v -> refresh());
    refresh();
  }

  public void stop() {
    node.vertx().cancelTimer(timerId);
    if (announcements != null) {
      announcements.unregister();
    }
  }

  public Collection<ServiceInstance> instances() {
    return List.copyOf(instances.values());
  }

  /** Reads every record; concurrent triggers collapse into one more read, so results apply in order. */
  public void refresh() {
    if (refreshing) {
      refreshAgain = true;
      return;
    }
    refreshing = true;
    node.records()
      .onSuccess(records -> {
        if (readFailing) {
          readFailing = false;
          LOG.info("Discovery records readable again");
        }
        apply(records);
      })
      .onFailure(err -> {
        if (!readFailing) {
          readFailing = true;
          LOG.warn("Cannot read discovery records (is a data member up?): {}", err.getMessage());
        }
      })
      .onComplete(done -> {
        refreshing = false;
        if (refreshAgain) {
          refreshAgain = false;
          refresh();
        }
      });
  }

  private void apply(List<Record> records) {
    Set<String> live = node.liveMemberIds();
    live.removeAll(departedNodes);
    Map<String, ServiceInstance> seen = new HashMap<>();
    Set<String> owners = new HashSet<>();
    for (Record record : records) {
      if (!names.test(record.getName())) {
        continue;
      }
      ServiceInstance.from(record).ifPresentOrElse(instance -> {
        owners.add(instance.nodeId());
        if (live.contains(instance.nodeId())) {
          seen.put(instance.registration(), instance);
        }
      }, () -> warnOnce(record));
    }
    departedNodes.retainAll(owners);
    List.copyOf(instances.values()).stream()
      .filter(instance -> !seen.containsKey(instance.registration()))
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
    if (record.getStatus() == io.vertx.servicediscovery.Status.UP && warned.add(String.valueOf(record.getRegistration()))) {
      LOG.warn("Skipping malformed or foreign record {} ({}): not an HTTP endpoint with a node id",
        record.getRegistration(), record.getName());
    }
  }
}
