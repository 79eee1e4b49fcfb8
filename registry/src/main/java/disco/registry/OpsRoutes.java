package disco.registry;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import java.util.function.BooleanSupplier;

/** The operations surface every node serves: health (all, live, ready), a view of the cluster, and metrics. */
final class OpsRoutes {

  private final ClusterNode node;
  private final BooleanSupplier published;

  /** {@code published}: whether the record whose publication makes the node ready is published; null for a node that has none. */
  OpsRoutes(ClusterNode node, BooleanSupplier published) {
    this.node = node;
    this.published = published;
  }

  void mount(Router router) {
    HealthChecks checks = HealthChecks.create(node.vertx())
      .register("live/event-loop", 1_000, promise -> promise.complete(Status.OK()))
      // a node joining anew after a split still serves, and its record stays: the seconds that takes
      // must not make swarm restart it (its health check fails after 3 answers 2 s apart)
      .register("ready/cluster", 1_000, promise -> promise.complete(new Status().setOk(node.isRunning() || node.isRejoining())));
    if (published != null) {
      checks.register("ready/own-record", 1_000, promise -> promise.complete(new Status().setOk(published.getAsBoolean())));
    }
    router.get("/health*").handler(HealthCheckHandler.createWithHealthChecks(checks));
    router.get("/cluster").handler(this::cluster);
    router.get("/metrics").handler(node.metrics().scrapeHandler());
  }

  /** This node's view: its local copy of the records, not a read of the cluster map. */
  private void cluster(RoutingContext ctx) {
    JsonArray records = new JsonArray();
    node.records().forEach(record -> records.add(record.toJson()));
    ctx.json(new JsonObject()
      .put("nodeId", node.nodeId())
      .put("members", node.membersJson())
      .put("records", records)
      .put("rejected", node.rejectedRecords()));
  }
}
