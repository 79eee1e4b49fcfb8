package disco.poule;

import disco.registry.records.ServiceInstance;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the user sees of poule's calls: totals, failures that survived retries, retries, and per host
 * figures; each is also counted in poule's meters.
 */
final class CallStats {

  private final Map<String, HostStats> perHost = new TreeMap<>();
  private final PouleMetrics metrics;
  private long total;
  private long errors;
  private long retries;

  CallStats(PouleMetrics metrics) {
    this.metrics = metrics;
  }

  /** A call {@code host} answered; {@code instance}: its record, unless it left the pool meanwhile. */
  void answered(String host, Optional<ServiceInstance> instance, long latencyNanos, long now) {
    total++;
    HostStats stats = perHost.computeIfAbsent(host, h -> new HostStats(now, version(instance)));
    stats.record(latencyNanos, now, instance.map(ServiceInstance::version).orElse(stats.version()));
    metrics.answered(host, latencyNanos);
  }

  private static String version(Optional<ServiceInstance> instance) {
    return instance.map(ServiceInstance::version).orElse("unknown");
  }

  /** A call whose every attempt failed; {@code lastHost} is the host tried last, or {@link PouleMetrics#NO_HOST}. */
  void failed(String lastHost) {
    total++;
    errors++;
    metrics.failed(lastHost);
  }

  /** An attempt that failed on {@code host}: the call is tried again, unless it was its last. */
  void retried(String host) {
    retries++;
    metrics.retried(host);
  }

  long retries() {
    return retries;
  }

  /** Calls answered so far by each host. */
  Map<String, Long> callsPerHost() {
    Map<String, Long> calls = new TreeMap<>();
    perHost.forEach((host, stats) -> calls.put(host, stats.calls()));
    return calls;
  }

  void tick() {
    perHost.values().forEach(HostStats::tick);
  }

  long errors() {
    return errors;
  }

  JsonObject toJson() {
    JsonObject hosts = new JsonObject();
    perHost.forEach((host, stats) -> hosts.put(host, stats.toJson()));
    return new JsonObject()
      .put("total", total)
      .put("errors", errors)
      .put("retries", retries)
      .put("perHost", hosts);
  }
}
