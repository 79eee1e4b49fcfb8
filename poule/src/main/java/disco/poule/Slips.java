package disco.poule;

import disco.registry.ClusterNode;
import disco.registry.discovery.ServiceLoadBalancer;
import disco.registry.records.ServiceInstance;
import io.vertx.core.json.JsonArray;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instances of the service poule calls, as the address resolver sees them (records whose
 * publisher is a member now): what the dashboard lists with the load balancer's standing of each,
 * and what the call loop waits for when there is none. Event-loop confined.
 */
final class Slips {

  private static final Logger LOG = LoggerFactory.getLogger(Slips.class);

  private final ClusterNode node;
  private final String service;
  private final ServiceLoadBalancer balancer;
  private Map<String, ServiceInstance> instances = Map.of();

  Slips(ClusterNode node, String service, ServiceLoadBalancer balancer) {
    this.node = node;
    this.service = service;
    this.balancer = balancer;
  }

  /** Follows the records and the members; {@code onAvailable} runs whenever an instance appears. */
  void start(Runnable onAvailable) {
    node.onRecordsChanged(v -> update(onAvailable));
    node.onMemberChange(change -> update(onAvailable));
    node.onMerged(v -> update(onAvailable));
    update(onAvailable);
  }

  private void update(Runnable onAvailable) {
    Map<String, ServiceInstance> now = new LinkedHashMap<>();
    node.liveInstances(service).forEach(instance -> now.put(instance.registration(), instance));
    Map<String, ServiceInstance> before = instances;
    instances = now;
    before.values().stream().filter(instance -> !now.containsKey(instance.registration())).forEach(instance ->
      LOG.info("{} {} at {}:{} left the pool: {} instance(s)", service, instance.hostname(), instance.host(),
        instance.port(), now.size()));
    now.values().stream().filter(instance -> !before.containsKey(instance.registration())).forEach(instance ->
      LOG.info("{} {} at {}:{} (version {}) joined the pool: {} instance(s)", service, instance.hostname(),
        instance.host(), instance.port(), instance.version(), now.size()));
    if (now.isEmpty() && !before.isEmpty()) {
      LOG.warn("no {} available: calls wait until one appears", service);
    } else if (!now.isEmpty() && before.isEmpty()) {
      LOG.info("{} available again: calls resume", service);
    }
    if (now.keySet().stream().anyMatch(registration -> !before.containsKey(registration))) {
      onAvailable.run();
    }
  }

  boolean isEmpty() {
    return instances.isEmpty();
  }

  int size() {
    return instances.size();
  }

  /** The host names of the instances now. */
  Set<String> hostnames() {
    return instances.values().stream().map(ServiceInstance::hostname).collect(Collectors.toSet());
  }

  /** The instance answering as {@code hostname}, if it is still one. */
  Optional<ServiceInstance> byHostname(String hostname) {
    return instances.values().stream().filter(instance -> instance.hostname().equals(hostname)).findFirst();
  }

  JsonArray toJson() {
    Map<String, ServiceLoadBalancer.Standing> standings = balancer.standings();
    JsonArray list = new JsonArray();
    instances.values().forEach(instance -> {
      ServiceLoadBalancer.Standing standing = standings.get(instance.registration());
      list.add(instance.toJson()
        .put("inFlight", standing == null ? 0 : standing.inFlight())
        .put("ejected", standing != null && standing.ejected()));
    });
    return list;
  }
}
