/**
 * The cluster secret: the cluster name Hazelcast checks at join is derived from it, and every record
 * is signed with it, so that only its holders join and only their records are trusted. It knows
 * records as vertx-service-discovery types, nothing of the cluster or of HTTP.
 * Not for users of registry: the discovery backend signs and checks every record for them.
 */
package disco.registry.security;
