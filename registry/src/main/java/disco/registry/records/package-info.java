/**
 * The discovery records in the cluster map: the map reached only through bounded asynchronous
 * operations ({@code RecordStore}), this node's copy of every trusted record kept current by the
 * map's events ({@code RecordCache}), a service's own record ({@link disco.registry.records.OwnRecord}),
 * and the sweep of the records whose owner left ({@code RecordSweeper}). It builds on
 * {@code disco.registry.cluster} and {@code disco.registry.security}; it knows nothing of HTTP or of
 * the services that publish.
 */
package disco.registry.records;
