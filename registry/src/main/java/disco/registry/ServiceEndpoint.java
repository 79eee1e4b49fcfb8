package disco.registry;

import disco.registry.http.RequestLimits;
import disco.registry.records.ServiceIdentity;
import disco.registry.records.ServiceInstance;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.servicediscovery.Record;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's HTTP endpoint in the cluster: serves the service's routes plus health, /cluster and
 * /metrics, describes itself as the record a service publishes with {@code ServiceDiscovery}
 * ({@link #record}), is ready once that record is published ({@link #published}), and on the way out
 * unpublishes first, then drains.
 */
public final class ServiceEndpoint {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceEndpoint.class);
  /** Time for the DOWN announcement to reach callers before this node stops accepting. */
  static final long UNPUBLISH_GRACE_MS = 500;
  static final long DRAIN_TIMEOUT_MS = 5_000;

  private final ClusterNode node;
  private final ServiceIdentity identity;
  private final String advertisedHost;
  private HttpServer server;
  private volatile String registration;

  public ServiceEndpoint(ClusterNode node, ServiceIdentity identity, String advertisedHost) {
    this.node = node;
    this.identity = identity;
    this.advertisedHost = advertisedHost;
  }

  /**
   * Listens on {@code port} (0: any free port), with {@code GET /} handed to {@code root} (null: to
   * the router) ahead of the router, under the same request limits: for the one path a service
   * answers at full rate (slip's), where the router's work per request costs a few percent of the
   * throughput at thousands of requests in flight. Not ready until {@link #published}: a service that
   * never publishes its record is never ready (slip's broken release, SLIP_FAULT=unready).
   */
  public Future<HttpServer> serve(Handler<HttpServerRequest> root, Router router, int port) {
    return serve(root, router, port, true);
  }

  /** Listens on {@code port} for a service that has no record (the watcher): ready once in the cluster. */
  public Future<HttpServer> serveWithoutRecord(Router router, int port) {
    return serve(null, router, port, false);
  }

  private Future<HttpServer> serve(Handler<HttpServerRequest> root, Router router, int port, boolean hasRecord) {
    RequestLimits limits = new RequestLimits(node.vertx());
    limits.guard(router);
    if (root != null) {
      // GET / never reaches the router (below); the route tells it that / exists, so another method gets 405
      router.get("/").handler(ctx -> root.handle(ctx.request()));
    }
    new OpsRoutes(node, hasRecord ? this::isPublished : null).mount(router);
    router.errorHandler(500, ctx -> {
      LOG.error("Request {} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
      ctx.response().setStatusCode(500).end();
    });
    return node.vertx().createHttpServer(RequestLimits.serverOptions())
      .connectionHandler(limits::connected)
      .invalidRequestHandler(RequestLimits::refuseInvalid)
      .requestHandler(root == null ? router : request -> {
        if (request.method() == HttpMethod.GET && "/".equals(request.path())) {
          limits.admit(request, root);
        } else {
          router.handle(request);
        }
      })
      .listen(port)
      .onSuccess(listening -> {
        server = listening;
        LOG.info("{} {} listening on port {} (node {}, version {})", identity.name(), identity.hostname(),
          listening.actualPort(), node.nodeId(), identity.version());
        if (!hasRecord) {
          ready();
        }
      });
  }

  /**
   * The record this endpoint publishes, once it listens: an HTTP endpoint named after the service,
   * at the advertised host and the port listened on, saying its host name, version, start time and
   * swarm node. The discovery backend adds the publishing member's id.
   */
  public Record record() {
    return ServiceInstance.record(identity, advertisedHost, port());
  }

  /** The record as {@code ServiceDiscovery.publish} gave it back: ready from now on. */
  public void published(Record record) {
    registration = record.getRegistration();
    ready();
  }

  private void ready() {
    LOG.info("{} {} ready on port {} (node {}, version {})", identity.name(), identity.hostname(), port(),
      node.nodeId(), identity.version());
  }

  private boolean isPublished() {
    String published = registration;
    return published != null && node.clusterRecords().isPublished(published);
  }

  public ServiceIdentity identity() {
    return identity;
  }

  /** The port actually listened on (HTTP_PORT=0 picks a free one). */
  public int port() {
    return server.actualPort();
  }

  /**
   * Unpublishes through {@code unpublish} (a {@code ServiceDiscovery}'s), lets callers hear of it,
   * then stops accepting and drains in-flight requests.
   */
  public Future<Void> withdraw(Function<String, Future<?>> unpublish) {
    String published = registration;
    registration = null;
    Future<?> unpublished = published == null ? Future.succeededFuture() : unpublish.apply(published)
      .recover(err -> {
        LOG.warn("Could not unpublish {}: {}", identity.name(), err.getMessage());
        return Future.succeededFuture();
      })
      .compose(v -> node.vertx().timer(UNPUBLISH_GRACE_MS));
    return unpublished
      .compose(v -> server == null ? Future.succeededFuture() : server.shutdown(DRAIN_TIMEOUT_MS, TimeUnit.MILLISECONDS))
      .onSuccess(v -> LOG.info("{} drained and stopped", identity.name()));
  }
}
