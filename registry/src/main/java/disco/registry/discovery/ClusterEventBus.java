package disco.registry.discovery;

import disco.registry.ClusterNode;
import disco.registry.bus.ClusterBus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * The event bus across the cluster, for a Vert.x application that reaches the platform through
 * {@code ServiceDiscovery} and {@link ServiceResolver}: the one of the node that its Vert.x uses
 * (joined with the environment's settings when it has none yet), started on first use:
 * <pre>{@code
 * ClusterEventBus.of(vertx).onSuccess(bus -> {
 *   bus.deploy(() -> new MyConsumerVerticle());           // deployed again after a rejoin
 *   bus.request("greeter.hello", "world", new DeliveryOptions());
 *   bus.vertx().sharedData().getAsyncMap("settings");     // cluster-wide
 * });
 * }</pre>
 */
public final class ClusterEventBus {

  private ClusterEventBus() {
  }

  /** The event bus of {@code vertx}'s node. */
  public static Future<ClusterBus> of(Vertx vertx) {
    return of(vertx, new JsonObject());
  }

  /** As {@link #of(Vertx)}, {@code config}'s settings ({@code CLUSTER_NAME}, ...) over the environment's for a node joined now. */
  public static Future<ClusterBus> of(Vertx vertx, JsonObject config) {
    return LocalNode.of(vertx, config).compose(ClusterNode::startBus);
  }
}
