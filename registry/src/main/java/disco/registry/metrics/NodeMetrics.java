package disco.registry.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The meters of one service process, served as Prometheus text on {@code GET /metrics}: Vert.x's own
 * (HTTP server and client, event bus, pools), the JVM's and the process's, and the platform's
 * ({@code disco_*}). One registry per process, made before its Vert.x so that Vert.x reports into it.
 * Names follow Prometheus conventions: base units, {@code _total} counters, hosts as labels.
 */
public final class NodeMetrics {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter swept;
  private final Counter republished;
  private final Counter merges;
  private final MultiGauge recordsPerService;
  private final Map<String, Counter> timeouts = new ConcurrentHashMap<>();
  private final boolean httpServerMeters;

  /** With every meter Vert.x has, its HTTP server's per-request ones included. */
  public NodeMetrics() {
    this(true);
  }

  /**
   * {@code httpServerMeters} false: without Vert.x's HTTP server meters, which look up five meters by
   * their tags on every request, a cost a service at thousands of requests in flight can measure
   * (docs/BENCHMARKS.md); a service on that hot path counts its requests with meters of its own,
   * registered once.
   */
  public NodeMetrics(boolean httpServerMeters) {
    this.httpServerMeters = httpServerMeters;
    // uptime, CPU, memory, GC and threads come with Vert.x's JVM metrics (instrument)
    new FileDescriptorMetrics().bindTo(registry);
    ProcessMemory.bindTo(registry);
    swept = counter("disco.records.swept", "Records of departed members this node removed from the cluster map");
    republished = counter("disco.record.republishes",
      "Times this node wrote its own record again: found missing, overwritten or under a former id");
    merges = counter("disco.cluster.merges", "Times this node merged back into the cluster after a split, or joined it anew");
    recordsPerService = MultiGauge.builder("disco.records")
      .description("Trusted discovery records in this node's copy of the cluster map, per service name")
      .register(registry);
  }

  /** Vert.x's options with its Micrometer metrics on, JVM metrics included. */
  public VertxOptions instrument(VertxOptions options) {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true);
    if (!httpServerMeters) {
      metrics.addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER);
    }
    return options.setMetricsOptions(metrics);
  }

  /** The factory that makes Vert.x report into this registry. */
  public VertxMetricsFactory vertxMetrics() {
    return new MicrometerMetricsFactory(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Every meter now, in Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }

  /** {@code GET /metrics}: every meter, in Prometheus text format. */
  public Handler<RoutingContext> scrapeHandler() {
    return PrometheusScrapingHandler.create(registry);
  }

  private Counter counter(String name, String description) {
    return Counter.builder(name).description(description).register(registry);
  }

  /** Cluster members, {@code data} and {@code lite}, as this node sees them. */
  public void members(Supplier<Number> data, Supplier<Number> lite) {
    Map.of("data", data, "lite", lite).forEach((role, count) -> Gauge.builder("disco.cluster.members", count)
      .tag("role", role).description("Members of the Hazelcast cluster this node sees").register(registry));
  }

  /** Entries of the cluster map that no reader trusts. */
  public void rejected(Supplier<Number> count) {
    Gauge.builder("disco.records.rejected", count)
      .description("Entries of the cluster map set aside: unsigned, forged, mis-keyed or not records").register(registry);
  }

  /** The records per service name now; names no longer present drop out. */
  public void records(Map<String, Long> perService) {
    recordsPerService.register(perService.entrySet().stream()
      .map(entry -> MultiGauge.Row.of(Tags.of("service", entry.getKey()), entry.getValue()))
      .toList(), true);
  }

  public void swept() {
    swept.increment();
  }

  public void republished() {
    republished.increment();
  }

  public void merged() {
    merges.increment();
  }

  /**
   * An operation of this node on the cluster gave up waiting: {@code operation} says which
   * ({@code write}, {@code read}, {@code remove}, {@code sweep}, {@code read-part}: one member's share
   * of a whole read, {@code subscribe}). None holds a thread meanwhile; the multi-node e2e reads these.
   */
  public void operationTimedOut(String operation) {
    timeouts.computeIfAbsent(operation, name -> Counter.builder("disco.cluster.operation.timeouts").tag("operation", name)
      .description("Operations of this node on the cluster that gave up waiting for an answer").register(registry))
      .increment();
  }
}
