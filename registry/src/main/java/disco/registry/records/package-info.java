/**
 * The discovery records in the cluster map: the map reached only through bounded asynchronous
 * operations ({@code RecordStore}), this node's copy of every trusted record kept current by the
 * map's events ({@code RecordCache}), the records this node publishes and keeps present
 * ({@code PublishedRecord}), and the sweep of the records whose owner left ({@code RecordSweeper}).
 * Its public face is {@link disco.registry.records.ClusterRecords}. It builds on
 * {@code disco.registry.cluster} and {@code disco.registry.security}; it knows nothing of HTTP, of
 * Vert.x's discovery APIs or of the services that publish.
 * Not for users of registry: they publish and look up through {@code disco.registry.discovery}.
 */
package disco.registry.records;
