package disco.registry.discovery;

import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.net.endpoint.EndpointResolverInternal;
import io.vertx.core.net.endpoint.LoadBalancer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.AddressResolver;
import io.vertx.core.spi.endpoint.EndpointResolver;

/**
 * Vert.x 5's address resolver over this platform's records: an HTTP client built with it calls a
 * service by name and follows its instances as the records change, within milliseconds of the
 * cluster's events (scale, kill, rolling update), with no lookup per request:
 * <pre>{@code
 * HttpClient client = vertx.httpClientBuilder()
 *   .withAddressResolver(ServiceResolver.create())
 *   .withLoadBalancer(new ServiceLoadBalancer())
 *   .build();
 * client.request(new RequestOptions().setServer(ServiceAddress.of("slip")).setURI("/"))...
 * }</pre>
 * A service's instances are its HTTP endpoint records whose publisher is a member now. The node is
 * the Vert.x instance's own, or one joined with the environment's settings, each overridden by the
 * string of the same name in {@code config} (as for {@link ClusterServiceDiscoveryBackend}).
 */
public final class ServiceResolver implements AddressResolver<ServiceAddress> {

  private final JsonObject config;

  private ServiceResolver(JsonObject config) {
    this.config = config;
  }

  /** With the node of the client's Vert.x, or one joined with the environment's settings. */
  public static ServiceResolver create() {
    return create(new JsonObject());
  }

  /** As {@link #create()}, {@code config}'s settings ({@code CLUSTER_NAME}, ...) over the environment's. */
  public static ServiceResolver create(JsonObject config) {
    return new ServiceResolver(config.copy());
  }

  /**
   * Picks instances as an HTTP client built with this resolver and {@code balancer} does, for calls
   * that are not HTTP: {@code resolveEndpoint(ServiceAddress.of(name))}, then {@code selectServer()},
   * whose {@code unwrap()} is the {@link disco.registry.records.ServiceInstance} picked; report each
   * call's end or failure through its {@code newInteraction()}, as the HTTP client does, so that the
   * balancer counts it.
   */
  public static io.vertx.core.net.endpoint.EndpointResolver endpoints(Vertx vertx, LoadBalancer balancer) {
    // Vert.x 5.0 makes one only inside its HTTP client, through this internal factory. No expiry (0):
    // ServiceEndpoints keeps a service's endpoint current as its records change
    return EndpointResolverInternal.create((VertxInternal) vertx, create().endpointResolver(vertx), balancer, 0);
  }

  @Override
  public EndpointResolver<ServiceAddress, ?, ?, ?> endpointResolver(Vertx vertx) {
    return new ServiceEndpoints<>(LocalNode.of(vertx, config));
  }
}
