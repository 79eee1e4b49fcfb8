/**
 * Settings read once from the environment into typed values, each bad value refused with one line
 * naming the variable, the value and the form expected ({@link disco.registry.config.ConfigException}).
 * It knows nothing of Hazelcast or Vert.x.
 * Not for users of registry: a service reads its settings through {@code disco.registry.ServiceLauncher}.
 */
package disco.registry.config;
