/**
 * The meters of one process, served as Prometheus text: Vert.x's own, the JVM's and the
 * platform's ({@code disco_*}). The other packages report into it; it imports none of them.
 */
package disco.registry.metrics;
