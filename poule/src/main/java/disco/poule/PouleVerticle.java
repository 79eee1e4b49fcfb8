package disco.poule;

import disco.registry.ClusterNode;
import disco.registry.ServiceEndpoint;
import disco.registry.discovery.ServiceLoadBalancer;
import disco.registry.discovery.ServiceResolver;
import disco.registry.records.ServiceInstance;
import disco.registry.events.ClusterTimeline;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.servicediscovery.ServiceDiscovery;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls slip without pause over every live instance, and shows who answers on a live dashboard. */
final class PouleVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(PouleVerticle.class);

  static final long EVENT_PERIOD_MS = 1_000;
  static final int MAX_EVENT_STREAMS = 100;
  /**
   * Idle connections to slips are dropped here first: a slip closes one idle for
   * RequestLimits.REQUEST_HEAD_TIMEOUT_MS, and a call sent on it at that moment would fail.
   */
  static final int KEEP_ALIVE_S = 4;

  private final PouleConfig config;
  private final ClusterNode node;
  private final ServiceEndpoint endpoint;
  private final RateHistory history = new RateHistory();
  private PouleMetrics metrics;
  private CallStats stats;
  private ClusterTimeline timeline;
  private HttpClient client;
  private Slips slips;
  private ServiceDiscovery discovery;
  private CallLoop loop;
  private int eventStreams;
  private long retriesBefore;
  private long errorsBefore;

  PouleVerticle(PouleConfig config, ClusterNode node, ServiceEndpoint endpoint) {
    this.config = config;
    this.node = node;
    this.endpoint = endpoint;
  }

  @Override
  public Future<?> start() {
    metrics = new PouleMetrics(node.metrics().registry(), () -> loop.inFlight(), () -> slips.size());
    stats = new CallStats(metrics);
    timeline = new ClusterTimeline(node);
    ServiceLoadBalancer balancer = new ServiceLoadBalancer()
      .onFailure((instance, failure) -> loop.attemptFailed(instance.hostname()))
      .onEjection(this::ejected);
    slips = new Slips(node, config.service(), balancer);
    // calls go to the service by name: the resolver follows its records, the balancer picks an instance
    client = vertx.httpClientBuilder()
      .with(new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(KEEP_ALIVE_S))
      // every call may go to one slip: its connection pool must hold them all
      .with(new PoolOptions().setHttp1MaxSize(config.concurrency()))
      .withAddressResolver(ServiceResolver.create())
      .withLoadBalancer(balancer)
      .build();
    SlipCall slipCall = config.transport() == PouleConfig.Transport.HTTP ? new HttpSlipCall(client, config)
      : new BusSlipCall(vertx, node, balancer, config);
    loop = new CallLoop(vertx, slipCall, slips, stats, config);
    discovery = ServiceDiscovery.create(vertx);
    timeline.start();
    vertx.setPeriodic(1_000, id -> tick());

    Router router = Router.router(vertx);
    router.get("/api/stats").handler(this::stats);
    router.get("/api/events").handler(this::events);
    router.get("/api/timeline").handler(ctx -> ctx.json(new JsonObject().put("events", timeline.since(0))));
    router.get("/lib/uplot/*").handler(Uplot.handler());
    router.get("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
    return endpoint.serve(null, router, config.httpPort())
      .compose(server -> discovery.publish(endpoint.record()))
      .onSuccess(record -> {
        endpoint.published(record);
        slipCall.ready().onComplete(v -> context.runOnContext(onLoop -> slips.start(loop::fill)));
      });
  }

  @Override
  public Future<?> stop() {
    loop.stop();
    return endpoint.withdraw(discovery::unpublish).onComplete(done -> {
      client.close();
      discovery.close();
    });
  }

  /** Once a second: rates, the chart's sample, and what the calls went through as timeline events. */
  private void tick() {
    long now = System.currentTimeMillis();
    stats.tick();
    history.tick(now, stats.callsPerHost(), slips.hostnames());
    metrics.retain(slips.hostnames(), now);
    long retries = stats.retries() - retriesBefore;
    long errors = stats.errors() - errorsBefore;
    retriesBefore += retries;
    errorsBefore += errors;
    if (retries > 0) {
      timeline.add("calls-retried", retries + " attempt(s) failed and were tried again on another slip",
        new JsonObject().put("count", retries));
    }
    if (errors > 0) {
      timeline.add("calls-failed", errors + " call(s) failed after every attempt", new JsonObject().put("count", errors));
    }
  }

  private void ejected(ServiceInstance instance, Throwable lastFailure) {
    LOG.warn("{} {} at {}:{} failed {} calls in a row, the last with {}: skipped for {} ms", config.service(),
      instance.hostname(), instance.host(), instance.port(), ServiceLoadBalancer.EJECT_AFTER, lastFailure,
      ServiceLoadBalancer.EJECT_MS);
    metrics.ejected(instance.hostname());
    timeline.add("ejected", "slip " + instance.hostname() + " skipped for " + ServiceLoadBalancer.EJECT_MS / 1000
      + " s after " + ServiceLoadBalancer.EJECT_AFTER + " failed calls in a row", new JsonObject().put("host", instance.hostname()));
  }

  private JsonObject snapshot() {
    long now = System.currentTimeMillis();
    return stats.toJson()
      .put("concurrency", config.concurrency())
      .put("inFlight", loop.inFlight())
      .put("noSlip", slips.isEmpty())
      .put("service", config.service())
      .put("transport", config.transport().name().toLowerCase(Locale.ROOT))
      .put("instances", slips.toJson())
      .put("members", node.membersJson())
      .put("rejected", node.rejectedRecords())
      .put("eventStreams", eventStreams)
      .put("time", now);
  }

  private void stats(RoutingContext ctx) {
    ctx.json(snapshot());
  }

  /**
   * Server-sent events: the same JSON as /api/stats once a second, with the chart's samples and the
   * timeline's events the browser has not had yet: all of the last five minutes in the first message,
   * so a browser that reconnects draws them again. At most {@link #MAX_EVENT_STREAMS} at once, so that
   * clients that vanish without closing hold a bounded share of the server until the kernel gives up
   * on them; a client that stops reading is dropped.
   */
  private void events(RoutingContext ctx) {
    if (eventStreams >= MAX_EVENT_STREAMS) {
      ctx.response().setStatusCode(503).end("too many event streams");
      return;
    }
    eventStreams++;
    HttpServerResponse response = ctx.response()
      .setChunked(true)
      .putHeader("content-type", "text/event-stream")
      .putHeader("cache-control", "no-cache");
    response.write("retry: 2000\n\n");
    long[] sent = {0, 0}; // the last sample time and the last event sequence this browser has
    long timer = vertx.setPeriodic(0, EVENT_PERIOD_MS, id -> {
      if (response.writeQueueFull()) {
        // a browser that stopped reading: drop it rather than buffer its stream without end
        ctx.request().connection().close();
        return;
      }
      JsonArray samples = history.since(sent[0]);
      JsonArray events = timeline.since(sent[1]);
      if (!samples.isEmpty()) {
        sent[0] = samples.getJsonObject(samples.size() - 1).getLong("t");
      }
      if (!events.isEmpty()) {
        sent[1] = events.getJsonObject(events.size() - 1).getLong("seq");
      }
      response.write("data: " + snapshot().put("samples", samples).put("events", events).encode() + "\n\n");
    });
    response.closeHandler(v -> {
      eventStreams--;
      vertx.cancelTimer(timer);
    });
  }
}
