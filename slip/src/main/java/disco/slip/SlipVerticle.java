package disco.slip;

import disco.registry.ServiceEndpoint;
import disco.registry.bus.ClusterBus;
import disco.registry.records.ServiceInstance;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Answers every {@code GET /} with its host name after a delay waited on a timer: no thread ever blocks.
 * Its request meters are registered once, so a request only adds to them (see SlipMain). It answers
 * on the event bus across the cluster too ({@link SlipBusVerticle}), at an address of its own that its
 * record carries ({@code ServiceInstance.EVENT_BUS_ADDRESS}).
 */
final class SlipVerticle extends VerticleBase {

  private final SlipConfig config;
  private final String hostname;
  private final ServiceEndpoint endpoint;
  private final ClusterBus bus;
  /** This instance's own: a caller picks an instance by its record, then sends to its address. */
  private final String busAddress;
  /** Read by the metrics scrape, which may run on another event loop. */
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Counter requests;
  private final Timer duration;
  private ServiceDiscovery discovery;

  SlipVerticle(SlipConfig config, ServiceEndpoint endpoint, ClusterBus bus, MeterRegistry meters) {
    this.config = config;
    this.hostname = endpoint.identity().hostname();
    this.endpoint = endpoint;
    this.bus = bus;
    this.busAddress = endpoint.identity().name() + "." + UUID.randomUUID();
    Gauge.builder("disco.slip.requests.in.flight", inFlight::get)
      .description("Requests to GET / received and not answered yet").register(meters);
    requests = Counter.builder("disco.slip.requests").description("Requests to GET / answered").register(meters);
    // a few buckets around the delay, enough to see answers that came late
    duration = Timer.builder("disco.slip.request.duration")
      .description("From a GET / received to its answer sent")
      .serviceLevelObjectives(afterTheDelay(config, 5), afterTheDelay(config, 20), afterTheDelay(config, 50),
        afterTheDelay(config, 150), afterTheDelay(config, 900))
      .register(meters);
  }

  private static Duration afterTheDelay(SlipConfig config, long ms) {
    return Duration.ofMillis(config.delayMs() + ms);
  }

  @Override
  public Future<?> start() {
    discovery = ServiceDiscovery.create(vertx);
    // GET / bypasses the router (ServiceEndpoint.serve): health, /cluster and /metrics go through it
    Future<?> serving = endpoint.serve(this::answer, Router.router(vertx), config.httpPort());
    // the broken release serves but never publishes: nobody is sent to it, and it is never ready
    if (config.unready()) {
      return serving;
    }
    return serving
      .compose(server -> bus.deploy(() -> new SlipBusVerticle(busAddress, hostname, config.delayMs())))
      .compose(v -> {
        Record record = endpoint.record();
        record.getMetadata().put(ServiceInstance.EVENT_BUS_ADDRESS, busAddress);
        return discovery.publish(record);
      })
      .onSuccess(endpoint::published);
  }

  @Override
  public Future<?> stop() {
    return endpoint.withdraw(discovery::unpublish).onComplete(done -> discovery.close());
  }

  private void answer(HttpServerRequest request) {
    // every request reaches respond(), its connection closed meanwhile or not: no end handler needed
    inFlight.incrementAndGet();
    long received = System.nanoTime();
    if (config.delayMs() == 0) {
      // Vert.x refuses a timer under 1 ms: no delay means now
      respond(request, received);
    } else {
      vertx.setTimer(config.delayMs(), id -> respond(request, received));
    }
  }

  private void respond(HttpServerRequest request, long received) {
    inFlight.decrementAndGet();
    requests.increment();
    duration.record(System.nanoTime() - received, TimeUnit.NANOSECONDS);
    request.response().putHeader("content-type", "text/plain; charset=utf-8").end(hostname);
  }
}
