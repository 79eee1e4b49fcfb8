package disco.registry.security;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bytes a record's signature covers: everything a reader acts on (name, type, registration,
 * status, location, metadata but the signature), as JSON with keys in order, so that the same
 * record signs the same after a trip through the cluster map, whatever order its keys come back in.
 */
final class CanonicalRecord {

  private CanonicalRecord() {
  }

  static String of(Record record) {
    JsonObject metadata = record.getMetadata() == null ? new JsonObject() : record.getMetadata().copy();
    metadata.remove(ClusterSecret.SIGNATURE);
    Map<String, Object> signed = new TreeMap<>();
    signed.put("name", record.getName());
    signed.put("type", record.getType());
    signed.put("registration", record.getRegistration());
    signed.put("status", record.getStatus() == null ? null : record.getStatus().name());
    signed.put("location", sorted(record.getLocation()));
    signed.put("metadata", sorted(metadata));
    return new JsonObject(signed).encode();
  }

  private static Object sorted(Object value) {
    if (value instanceof JsonObject object) {
      Map<String, Object> ordered = new TreeMap<>();
      object.forEach(entry -> ordered.put(entry.getKey(), sorted(entry.getValue())));
      return new JsonObject(ordered);
    }
    if (value instanceof JsonArray array) {
      List<Object> items = new ArrayList<>();
      array.forEach(item -> items.add(sorted(item)));
      return new JsonArray(items);
    }
    return value;
  }
}
