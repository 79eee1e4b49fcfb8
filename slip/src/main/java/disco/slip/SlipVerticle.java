package disco.slip;

import disco.registry.ServiceEndpoint;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicInteger;

/** Answers every {@code GET /} with its host name after a delay waited on a timer: no thread ever blocks. */
final class SlipVerticle extends VerticleBase {

  private final SlipConfig config;
  private final String hostname;
  private final ServiceEndpoint endpoint;
  /** Read by the metrics scrape, which may run on another event loop. */
  private final AtomicInteger inFlight = new AtomicInteger();

  SlipVerticle(SlipConfig config, ServiceEndpoint endpoint, MeterRegistry meters) {
    this.config = config;
    this.hostname = endpoint.identity().hostname();
    this.endpoint = endpoint;
    Gauge.builder("disco.slip.requests.in.flight", inFlight::get)
      .description("Requests to GET / received and not answered yet").register(meters);
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/").handler(this::answer);
    return endpoint.serve(router, config.httpPort(), !config.unready());
  }

  @Override
  public Future<?> stop() {
    return endpoint.withdraw();
  }

  private void answer(RoutingContext ctx) {
    // every request reaches respond(), its connection closed meanwhile or not: no end handler needed
    inFlight.incrementAndGet();
    if (config.delayMs() == 0) {
      // Vert.x refuses a timer under 1 ms: no delay means now
      respond(ctx);
    } else {
      vertx.setTimer(config.delayMs(), id -> respond(ctx));
    }
  }

  private void respond(RoutingContext ctx) {
    inFlight.decrementAndGet();
    ctx.response().putHeader("content-type", "text/plain; charset=utf-8").end(hostname);
  }
}
