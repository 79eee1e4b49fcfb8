/**
 * The Hazelcast member: its settings, the discovery of its peers (names resolved to every address,
 * ports probed), its join, failure detection and the watchdog that makes it join anew when it is
 * stuck apart after a split. It owns every Hazelcast type a service meets and knows nothing of
 * records: the records side reports whether the cluster's data answers through
 * {@link disco.registry.cluster.DataHealth}, which the watchdog reads.
 * Not for users of registry: its types are the other packages' means, Hazelcast's among them.
 */
package disco.registry.cluster;
