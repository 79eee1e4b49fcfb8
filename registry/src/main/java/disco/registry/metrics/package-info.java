/**
 * The meters of one process, served as Prometheus text: Vert.x's own, the JVM's and the
 * platform's ({@code disco_*}). The other packages report into it; it imports none of them.
 * For the platform's own services, which serve these meters on {@code /metrics}.
 */
package disco.registry.metrics;
