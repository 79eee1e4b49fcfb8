package disco.poule;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Calls answered by one slip host: totals, a rate over the last {@link #RATE_WINDOW_S} seconds and
 * latency percentiles over the last one to two {@link #LATENCY_WINDOW_S}-second windows.
 */
final class HostStats {

  static final int RATE_WINDOW_S = 5;
  static final int LATENCY_WINDOW_S = 10;
  private static final long MAX_LATENCY_US = TimeUnit.MINUTES.toMicros(10);

  private final long firstSeen;
  private long lastSeen;
  private long calls;
  private String version;
  private final long[] callsAtTick = new long[RATE_WINDOW_S + 1];
  private int ticks;
  private Histogram current = new Histogram(MAX_LATENCY_US, 2);
  private Histogram previous = new Histogram(MAX_LATENCY_US, 2);

  HostStats(long now, String version) {
    this.firstSeen = now;
    this.version = version;
  }

  void record(long latencyNanos, long now, String version) {
    calls++;
    lastSeen = now;
    this.version = version;
    current.recordValue(Math.min(MAX_LATENCY_US, TimeUnit.NANOSECONDS.toMicros(latencyNanos)));
  }

  long calls() {
    return calls;
  }

  String version() {
    return version;
  }

  /** Called once a second. */
  void tick() {
    ticks++;
    callsAtTick[ticks % callsAtTick.length] = calls;
    if (ticks % LATENCY_WINDOW_S == 0) {
      Histogram spare = previous;
      spare.reset();
      previous = current;
      current = spare;
    }
  }

  JsonObject toJson() {
    int span = Math.min(ticks, RATE_WINDOW_S);
    long before = callsAtTick[(ticks - span) % callsAtTick.length];
    double rate = span == 0 ? 0 : (callsAtTick[ticks % callsAtTick.length] - before) / (double) span;
    Histogram window = current.copy();
    window.add(previous);
    return new JsonObject()
      .put("calls", calls)
      .put("ratePerSec", Math.round(rate * 10) / 10.0)
      .put("p50Ms", millis(window, 50))
      .put("p99Ms", millis(window, 99))
      .put("firstSeen", firstSeen)
      .put("lastSeen", lastSeen)
      .put("version", version);
  }

  private static double millis(Histogram histogram, double percentile) {
    return histogram.getTotalCount() == 0 ? 0 : Math.round(histogram.getValueAtPercentile(percentile) / 100.0) / 10.0;
  }
}
