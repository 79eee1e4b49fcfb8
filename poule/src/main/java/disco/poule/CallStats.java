package disco.poule;

import disco.registry.records.ServiceInstance;
import io.vertx.core.json.JsonObject;
import java.util.Map;
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

  void answered(ServiceInstance instance, long latencyNanos, long now) {
    total++;
    perHost.computeIfAbsent(instance.hostname(), host -> new HostStats(now, instance.version()))
      .record(latencyNanos, now, instance.version());
    metrics.answered(instance, latencyNanos);
  }

  /** A call whose every attempt failed; {@code lastHost} is the host tried last, or {@link PouleMetrics#NO_HOST}. */
  void failed(String lastHost) {
    total++;
    errors++;
    metrics.failed(lastHost);
  }

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
