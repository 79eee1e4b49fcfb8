package disco.registry;

import disco.registry.records.ServiceIdentity;
import disco.registry.records.OwnRecord;
import disco.registry.http.RequestLimits;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's HTTP endpoint in the cluster: serves the service's routes plus health and /cluster,
 * publishes the record once listening, and on the way out unpublishes first, then drains.
 */
public final class ServiceEndpoint {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceEndpoint.class);
  /** Time for the DOWN announcement to reach callers before this node stops accepting. */
  static final long UNPUBLISH_GRACE_MS = 500;
  static final long DRAIN_TIMEOUT_MS = 5_000;

  private final ClusterNode node;
  private final ServiceIdentity identity;
  private final OwnRecord own;
  private HttpServer server;

  public ServiceEndpoint(ClusterNode node, ServiceIdentity identity, String advertisedHost) {
    this.node = node;
    this.identity = identity;
    this.own = node.ownRecord(identity, advertisedHost);
  }

  /**
   * Listens on {@code port} (0: any free port) and, when {@code publish}, publishes the record. A
   * service that does not publish it is not ready: the broken release (slip's SLIP_FAULT=unready).
   */
  public Future<HttpServer> serve(Router router, int port, boolean publish) {
    return serve(null, router, port, publish, true);
  }

  /**
   * As {@link #serve}, with {@code GET /} handed to {@code root} ahead of the router, under the same
   * request limits: for the one path a service answers at full rate (slip's), where the router's
   * work per request costs a few percent of the throughput at thousands of requests in flight.
   */
  public Future<HttpServer> serve(Handler<HttpServerRequest> root, Router router, int port, boolean publish) {
    return serve(root, router, port, publish, true);
  }

  /** Listens on {@code port} for a service that has no record (the watcher): ready once in the cluster. */
  public Future<HttpServer> serveWithoutRecord(Router router, int port) {
    return serve(null, router, port, false, false);
  }

  private Future<HttpServer> serve(Handler<HttpServerRequest> root, Router router, int port, boolean publish,
                                   boolean hasRecord) {
    RequestLimits limits = new RequestLimits(node.vertx());
    limits.guard(router);
    if (root != null) {
      // GET / never reaches the router (below); the route tells it that / exists, so another method gets 405
      router.get("/").handler(ctx -> root.handle(ctx.request()));
    }
    new OpsRoutes(node, hasRecord ? own : null).mount(router);
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
      .compose(listening -> {
        server = listening;
        Future<?> published = publish ? own.publish(listening.actualPort()) : Future.succeededFuture();
        return published.map(listening);
      })
      .onSuccess(listening -> LOG.info("{} {} ready on port {} (node {}, version {})", identity.name(),
        identity.hostname(), listening.actualPort(), node.nodeId(), identity.version()));
  }

  public ServiceIdentity identity() {
    return identity;
  }

  /** The port actually listened on (HTTP_PORT=0 picks a free one). */
  public int port() {
    return server.actualPort();
  }

  /** Unpublish, let callers hear of it, then stop accepting and drain in-flight requests. */
  public Future<Void> withdraw() {
    return own.unpublish()
      .recover(err -> {
        LOG.warn("Could not unpublish {}: {}", identity.name(), err.getMessage());
        return Future.succeededFuture();
      })
      .compose(v -> node.vertx().timer(UNPUBLISH_GRACE_MS))
      .compose(v -> server == null ? Future.succeededFuture() : server.shutdown(DRAIN_TIMEOUT_MS, TimeUnit.MILLISECONDS))
      .onSuccess(v -> LOG.info("{} drained and stopped", identity.name()));
  }
}
