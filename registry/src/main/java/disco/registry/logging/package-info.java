/**
 * The console logging every service sets up in code: one line per event, Hazelcast's and Netty's
 * chatter left out. Logback finds it through {@code META-INF/services}; nothing imports it.
 * For every process with registry on its class path; nothing to call.
 */
package disco.registry.logging;
