package disco.slip;

import disco.registry.ServiceEndpoint;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** Answers every {@code GET /} with its host name after a delay waited on a timer: no thread ever blocks. */
final class SlipVerticle extends VerticleBase {

  private final SlipConfig config;
  private final String hostname;
  private final ServiceEndpoint endpoint;

  SlipVerticle(SlipConfig config, ServiceEndpoint endpoint) {
    this.config = config;
    this.hostname = endpoint.identity().hostname();
    this.endpoint = endpoint;
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
    if (config.delayMs() == 0) {
      // Vert.x refuses a timer under 1 ms: no delay means now
      respond(ctx);
    } else {
      vertx.setTimer(config.delayMs(), id -> respond(ctx));
    }
  }

  private void respond(RoutingContext ctx) {
    ctx.response().putHeader("content-type", "text/plain; charset=utf-8").end(hostname);
  }
}
