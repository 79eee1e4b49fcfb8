package disco.registry.records;

import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.Status;
import io.vertx.servicediscovery.types.HttpEndpoint;
import java.util.Optional;

/**
 * One live HTTP endpoint of a service, as its publisher's node keeps it: the typed view of a
 * discovery record, or nothing when the record is malformed or foreign. {@code eventBusAddress}: the
 * address the instance also answers on over the event bus across the cluster, or null when it does not.
 */
public record ServiceInstance(String registration, String name, String host, int port,
                              String nodeId, String hostname, String version, long startedAt, String swarmNode,
                              String eventBusAddress) {

  static final String NODE_ID = "nodeId";
  static final String HOSTNAME = "hostname";
  static final String VERSION = "version";
  static final String STARTED_AT = "startedAt";
  static final String SWARM_NODE = "swarmNode";
  /** Where an instance that answers on the event bus too says on which address: its own, one per instance. */
  public static final String EVENT_BUS_ADDRESS = "eventbus.address";

  /**
   * The record a service publishes for itself, in the form vertx-service-discovery stores: an HTTP
   * endpoint at {@code host:port} named after the service, saying who it is. Its registration and its
   * publisher's member id are the discovery backend's to set.
   */
  public static Record record(ServiceIdentity identity, String host, int port) {
    JsonObject metadata = new JsonObject()
      .put(HOSTNAME, identity.hostname())
      .put(VERSION, identity.version())
      .put(STARTED_AT, identity.startedAt());
    if (!identity.swarmNode().isEmpty()) {
      metadata.put(SWARM_NODE, identity.swarmNode());
    }
    return HttpEndpoint.createRecord(identity.name(), host, port, "/", metadata);
  }

  /** Empty when the record is not an UP HTTP endpoint carrying this project's metadata. */
  public static Optional<ServiceInstance> from(Record record) {
    JsonObject location = record.getLocation();
    JsonObject metadata = record.getMetadata();
    if (record.getStatus() != Status.UP || !HttpEndpoint.TYPE.equals(record.getType())
      || location == null || metadata == null || record.getRegistration() == null) {
      return Optional.empty();
    }
    try {
      String host = location.getString("host");
      Integer port = location.getInteger("port");
      String nodeId = ownerOf(record);
      if (host == null || port == null || port < 1 || port > 65535 || nodeId == null) {
        return Optional.empty();
      }
      return Optional.of(new ServiceInstance(record.getRegistration(), record.getName(), host, port, nodeId,
        metadata.getString(HOSTNAME, host), metadata.getString(VERSION, "unknown"),
        metadata.getLong(STARTED_AT, 0L), metadata.getString(SWARM_NODE, ""), metadata.getString(EVENT_BUS_ADDRESS)));
    } catch (ClassCastException e) {
      return Optional.empty();
    }
  }

  /** The owning node's id, or null for a record that does not say (published by someone else). */
  public static String ownerOf(Record record) {
    JsonObject metadata = record.getMetadata();
    Object owner = metadata == null ? null : metadata.getValue(NODE_ID);
    return owner instanceof String id ? id : null;
  }

  public JsonObject toJson() {
    return new JsonObject().put("registration", registration).put("name", name).put("host", host)
      .put("port", port).put("nodeId", nodeId).put("hostname", hostname).put("version", version)
      .put("startedAt", startedAt).put("swarmNode", swarmNode).put("eventBusAddress", eventBusAddress);
  }
}
