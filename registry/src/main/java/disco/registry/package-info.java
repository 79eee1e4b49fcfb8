/**
 * What a service holds to be part of the platform: its node ({@link disco.registry.ClusterNode}, a
 * cluster member, the records it keeps and its event bus across the cluster), its HTTP endpoint with the operations routes
 * ({@link disco.registry.ServiceEndpoint}), and the one entry point of every process,
 * {@link disco.registry.ServiceLauncher}. It ties the packages below together and is the only one
 * that knows them all; nothing below imports it but {@code disco.registry.discovery}, which finds a
 * Vert.x instance's node through it. For the platform's own services; a user of registry needs
 * only {@code disco.registry.discovery} and {@code disco.registry.bus}.
 */
package disco.registry;
