package disco.poule;

import disco.registry.ServiceInstance;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;

/** What the user sees of poule's calls: totals, failures that survived retries, retries, and per host figures. */
final class CallStats {

  private final Map<String, HostStats> perHost = new TreeMap<>();
  private long total;
  private long errors;
  private long retries;

  void answered(ServiceInstance instance, long latencyNanos, long now) {
    total++;
    perHost.computeIfAbsent(instance.hostname(), host -> new HostStats(now, instance.version()))
      .record(latencyNanos, now, instance.version());
  }

  void failed() {
    total++;
    errors++;
  }

  void retried() {
    retries++;
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
