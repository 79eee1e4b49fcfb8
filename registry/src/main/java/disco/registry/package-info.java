/**
 * What a service holds to be part of the platform: its node ({@link disco.registry.ClusterNode}, a
 * cluster member and the records it keeps), its HTTP endpoint with the operations routes
 * ({@link disco.registry.ServiceEndpoint}), the instances of a service its callers may use
 * ({@link disco.registry.ServiceDirectory}), and the one entry point of every process,
 * {@link disco.registry.ServiceLauncher}. It ties the packages below together and is the only one
 * that knows them all; nothing below imports it.
 */
package disco.registry;
