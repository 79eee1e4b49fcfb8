package disco.registry;

import disco.registry.http.RequestLimits;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first use of Vert.x's HTTP server and client, its router, health checks, JSON and Micrometer
 * meters, made once on a scratch Vert.x of its own while the cluster member joins. A class is
 * loaded, verified and initialised at its first use, and a service's first start of its routes,
 * first request and first call would pay for a few thousand of them on an event loop: milliseconds
 * on an idle machine, seconds on a starved one, where Vert.x then reports the loop blocked
 * (StarvedStartIT). Here they are paid on threads that may take as long as they need. The loopback
 * server, its client and their meters live only for this and are gone before the service deploys.
 */
final class WarmStart {

  private static final Logger LOG = LoggerFactory.getLogger(WarmStart.class);
  private static final long TIMEOUT_S = 60;
  /** Vert.x keeps Micrometer registries by name: the service's own must not be this one. */
  private static final String METRICS_NAME = "disco-warm-start";

  private WarmStart() {
  }

  /** Blocks until done: call it from a thread of its own, never from an event loop. */
  static void run() {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // nothing here serves a user: its loop may be held as long as a starved machine makes it
    Vertx scratch = Vertx.builder()
      .with(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1).setInternalBlockingPoolSize(1)
        .setMaxEventLoopExecuteTime(TIMEOUT_S).setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS)
        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setRegistryName(METRICS_NAME)))
      .withMetrics(new MicrometerMetricsFactory(meters))
      .build();
    try {
      Router router = Router.router(scratch);
      HealthChecks checks = HealthChecks.create(scratch).register("live", 1_000, promise -> promise.complete(Status.OK()));
      router.get("/health*").handler(HealthCheckHandler.createWithHealthChecks(checks));
      router.get("/metrics").handler(PrometheusScrapingHandler.create(meters));
      router.get("/json").handler(ctx -> ctx.json(new JsonObject().put("warm", true)));
      router.get("/").handler(ctx -> ctx.response().putHeader("content-type", "text/plain").end("warm"));
      HttpServer server = scratch.createHttpServer(RequestLimits.serverOptions()).requestHandler(router)
        .listen(0, "127.0.0.1").await(TIMEOUT_S, TimeUnit.SECONDS);
      WebClient client = WebClient.create(scratch);
      for (String path : List.of("/", "/json", "/health", "/metrics")) {
        client.get(server.actualPort(), "127.0.0.1", path).send().await(TIMEOUT_S, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      // a cost moved off the event loops, never a condition of the start
      LOG.info("Warm start incomplete, the first requests will load what it did not: {}", e.toString());
    } finally {
      scratch.close().await();
      meters.close();
    }
  }
}
