/**
 * The Vert.x APIs a user of this platform reaches for, over its cluster: vertx-service-discovery's
 * {@code ServiceDiscovery.create(vertx)}, answered by
 * {@link disco.registry.discovery.ClusterServiceDiscoveryBackend} (publish, unpublish, update,
 * lookups, and the cluster's changes announced on every node), and Vert.x 5's address resolution for
 * HTTP clients, {@link disco.registry.discovery.ServiceResolver} with
 * {@link disco.registry.discovery.ServiceLoadBalancer}, calling a service by its
 * {@link disco.registry.discovery.ServiceAddress}; and the event bus across the cluster,
 * {@link disco.registry.discovery.ClusterEventBus}. These types, with {@code disco.registry.bus.ClusterBus},
 * are the public API; no Hazelcast type appears in it. The node behind them is the Vert.x
 * instance's own, or one joined with the environment's settings.
 */
package disco.registry.discovery;
