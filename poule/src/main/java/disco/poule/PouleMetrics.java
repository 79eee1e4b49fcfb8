package disco.poule;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Poule's own meters, per slip host (a label, never part of a name): calls answered, calls failed
 * after every attempt, attempts retried, ejections, and call latency as a histogram; plus the calls in
 * flight and the instances in the pool. A host's meters go {@link #FORGET_AFTER_MS} after it left the
 * pool, so that a platform that replaces its slips for months does not grow without end.
 * Event-loop confined, but for the gauges, which only read.
 */
final class PouleMetrics {

  static final long FORGET_AFTER_MS = 300_000;
  /** The host label of a call that failed before any slip was tried: none was known. */
  static final String NO_HOST = "none";

  private record HostMeters(Counter calls, Counter failed, Counter retries, Counter ejections, Timer duration) {
    List<Meter> all() {
      return List.of(calls, failed, retries, ejections, duration);
    }
  }

  private final MeterRegistry registry;
  private final Map<String, HostMeters> hosts = new HashMap<>();
  /** When each host with meters was last seen in the pool. */
  private final Map<String, Long> lastInPool = new HashMap<>();

  PouleMetrics(MeterRegistry registry, IntSupplier inFlight, IntSupplier instances) {
    this.registry = registry;
    Gauge.builder("disco.poule.calls.in.flight", inFlight::getAsInt)
      .description("Calls to slip under way now").register(registry);
    Gauge.builder("disco.poule.pool.instances", instances::getAsInt)
      .description("Slip instances poule balances over").register(registry);
  }

  void answered(String host, long latencyNanos) {
    HostMeters meters = meters(host);
    meters.calls.increment();
    meters.duration.record(latencyNanos, TimeUnit.NANOSECONDS);
  }

  void failed(String host) {
    meters(host).failed.increment();
  }

  void retried(String host) {
    meters(host).retries.increment();
  }

  void ejected(String host) {
    meters(host).ejections.increment();
  }

  /** Called once a second: drops the meters of hosts out of the pool for {@link #FORGET_AFTER_MS}. */
  void retain(Set<String> inPool, long now) {
    inPool.forEach(host -> lastInPool.put(host, now));
    for (String host : List.copyOf(hosts.keySet())) {
      if (!host.equals(NO_HOST) && lastInPool.computeIfAbsent(host, h -> now) <= now - FORGET_AFTER_MS) {
        hosts.remove(host).all().forEach(registry::remove);
        lastInPool.remove(host);
      }
    }
  }

  private HostMeters meters(String host) {
    return hosts.computeIfAbsent(host, h -> new HostMeters(
      Counter.builder("disco.poule.calls").tag("host", h)
        .description("Calls answered by a slip host").register(registry),
      Counter.builder("disco.poule.failed.calls").tag("host", h)
        .description("Calls whose every attempt failed, by the last host tried (none: no slip was known)")
        .register(registry),
      Counter.builder("disco.poule.retries").tag("host", h)
        .description("Attempts that failed on a host, each tried again unless it was the call's last").register(registry),
      Counter.builder("disco.poule.ejections").tag("host", h)
        .description("Times a host was skipped after failing calls in a row").register(registry),
      Timer.builder("disco.poule.call.duration").tag("host", h)
        .description("From a call's first attempt to its answer, retries included")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry)));
  }
}
