package disco.registry.records;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.Status;
import io.vertx.servicediscovery.types.HttpEndpoint;
import org.junit.jupiter.api.Test;

class ServiceInstanceTest {

  private static Record published(Record record) {
    return record.setRegistration("reg-1").setStatus(Status.UP);
  }

  /** {@code record} as the discovery backend stores it for the member {@code nodeId}. */
  private static Record stored(Record record, String nodeId) {
    Record stored = published(record);
    stored.getMetadata().put(ServiceInstance.NODE_ID, nodeId);
    return stored;
  }

  @Test
  void own_record_reads_back_as_an_instance() {
    ServiceIdentity identity = new ServiceIdentity("slip", "slip-a", "0.0.2", 42L, "node-2");
    Record record = stored(ServiceInstance.record(identity, "10.0.0.5", 8080), "node-1");

    ServiceInstance instance = ServiceInstance.from(record).orElseThrow();

    assertThat(instance).isEqualTo(
      new ServiceInstance("reg-1", "slip", "10.0.0.5", 8080, "node-1", "slip-a", "0.0.2", 42L, "node-2", null));
    assertThat(ServiceInstance.ownerOf(record)).isEqualTo("node-1");
  }

  @Test
  void an_instance_that_answers_on_the_event_bus_says_on_which_address() {
    ServiceIdentity identity = new ServiceIdentity("slip", "slip-a", "0.0.2", 42L);
    Record published = ServiceInstance.record(identity, "10.0.0.5", 8080);
    published.getMetadata().put(ServiceInstance.EVENT_BUS_ADDRESS, "slip.instance-1");

    ServiceInstance instance = ServiceInstance.from(stored(published, "node-1")).orElseThrow();

    assertThat(instance.eventBusAddress()).isEqualTo("slip.instance-1");
  }

  @Test
  void record_outside_a_swarm_names_no_swarm_node() {
    ServiceIdentity identity = new ServiceIdentity("slip", "slip-a", "0.0.2", 42L);
    Record record = stored(ServiceInstance.record(identity, "10.0.0.5", 8080), "node-1");

    assertThat(record.getMetadata().containsKey("swarmNode")).isFalse();
    assertThat(ServiceInstance.from(record).orElseThrow().swarmNode()).isEmpty();
  }

  @Test
  void foreign_record_without_node_id_is_skipped() {
    Record foreign = published(HttpEndpoint.createRecord("slip", "10.0.0.9", 80, "/"));
    assertThat(ServiceInstance.from(foreign)).isEmpty();
    assertThat(ServiceInstance.ownerOf(foreign)).isNull();
  }

  @Test
  void malformed_records_are_skipped() {
    Record noLocation = published(new Record().setName("slip").setType(HttpEndpoint.TYPE)
      .setMetadata(new JsonObject().put("nodeId", "n")));
    Record badPort = published(HttpEndpoint.createRecord("slip", "h", 80, "/", new JsonObject().put("nodeId", "n")));
    badPort.getLocation().put("port", "eighty");
    Record wrongType = published(new Record(new JsonObject().put("name", "slip").put("type", "message-source")
      .put("location", new JsonObject().put("host", "h").put("port", 1)).put("metadata", new JsonObject().put("nodeId", "n"))));
    Record down = published(HttpEndpoint.createRecord("slip", "h", 80, "/", new JsonObject().put("nodeId", "n")))
      .setStatus(Status.DOWN);
    Record numericOwner = published(HttpEndpoint.createRecord("slip", "h", 80, "/", new JsonObject().put("nodeId", 7)));

    assertThat(ServiceInstance.from(noLocation)).isEmpty();
    assertThat(ServiceInstance.from(badPort)).isEmpty();
    assertThat(ServiceInstance.from(wrongType)).isEmpty();
    assertThat(ServiceInstance.from(down)).isEmpty();
    assertThat(ServiceInstance.from(numericOwner)).isEmpty();
    assertThat(ServiceInstance.ownerOf(numericOwner)).isNull();
  }
}
