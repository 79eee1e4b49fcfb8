/**
 * The event bus across the cluster: a clustered Vert.x on the node's Hazelcast member through
 * vertx-hazelcast, closed with mutual TLS from the cluster secret, built again with every new member
 * the node joins with. For users of registry: a service reaches it through {@code ClusterNode.bus()};
 * Hazelcast stays hidden behind it.
 */
package disco.registry.bus;
