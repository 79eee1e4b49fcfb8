/**
 * The cluster secret: the cluster name Hazelcast checks at join is derived from it, every record is
 * signed with it, and the event bus's TLS identity is derived from it ({@link disco.registry.security.EventBusTls}),
 * so that only its holders join, only their records are trusted and only they reach the event bus.
 * It knows records as vertx-service-discovery types and the event bus's options as Vert.x's, nothing
 * of the cluster or of HTTP. Not for users of registry: the discovery backend signs and checks every
 * record for them, and the event bus applies the TLS identity.
 */
package disco.registry.security;
