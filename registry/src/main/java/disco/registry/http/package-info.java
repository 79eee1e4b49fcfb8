/**
 * What every HTTP server of the platform accepts from a client, and for how long: request line and
 * header sizes, bodies, the request head deadline and idle connections. It knows nothing of the
 * cluster or of records.
 * For the platform's own services, through {@code disco.registry.ServiceEndpoint}.
 */
package disco.registry.http;
