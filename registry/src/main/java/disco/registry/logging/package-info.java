/**
 * The console logging every service sets up in code: one line per event, Hazelcast's and Netty's
 * chatter left out. Logback finds it through {@code META-INF/services}; nothing imports it.
 */
package disco.registry.logging;
