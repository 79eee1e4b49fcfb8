package disco.poule;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Calls per second per slip host over the last {@link #SECONDS} seconds: one sample a second, so a
 * browser that connects, or comes back after a drop, can draw the last five minutes at once. A host
 * is in a sample while it is in the pool or answered during that second; past that its line ends.
 * Event-loop confined.
 */
final class RateHistory {

  static final int SECONDS = 300;

  private final ArrayDeque<JsonObject> samples = new ArrayDeque<>();
  private final Map<String, Long> callsBefore = new HashMap<>();

  /** Takes this second's sample from the running totals per host and the hosts in the pool now. */
  JsonObject tick(long now, Map<String, Long> callsPerHost, Set<String> inPool) {
    JsonObject rates = new JsonObject();
    callsPerHost.forEach((host, calls) -> {
      long delta = calls - callsBefore.getOrDefault(host, 0L);
      callsBefore.put(host, calls);
      if (delta > 0 || inPool.contains(host)) {
        rates.put(host, delta);
      }
    });
    inPool.forEach(host -> {
      if (!rates.containsKey(host)) {
        rates.put(host, 0L);
      }
    });
    JsonObject sample = new JsonObject().put("t", now).put("calls", rates);
    samples.addLast(sample);
    while (samples.size() > SECONDS) {
      samples.removeFirst();
    }
    return sample;
  }

  /** The samples taken after {@code time} (0: all of them), oldest first. */
  JsonArray since(long time) {
    JsonArray list = new JsonArray();
    samples.stream().filter(sample -> sample.getLong("t") > time).forEach(list::add);
    return list;
  }
}
