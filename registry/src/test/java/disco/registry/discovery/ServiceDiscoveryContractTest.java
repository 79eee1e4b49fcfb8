package disco.registry.discovery;

import static disco.registry.TestCluster.await;
import static disco.registry.TestCluster.within;
import static org.assertj.core.api.Assertions.assertThat;

import disco.registry.ClusterNode;
import disco.registry.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import io.vertx.servicediscovery.ServiceDiscoveryOptions;
import io.vertx.servicediscovery.Status;
import io.vertx.servicediscovery.types.HttpEndpoint;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stock {@code ServiceDiscovery.create(vertx)} on a cluster of three nodes, each with its own
 * Vert.x: what vertx-service-discovery's own backend and discovery tests ask of a backend (insert,
 * retrieve, update, remove, several records, lookups by filter, out-of-service records), and what a
 * cluster adds (a record published on one node found on another, every change announced on every
 * node, a killed node's record announced DOWN and gone).
 */
@Timeout(90)
class ServiceDiscoveryContractTest {

  private final TestCluster cluster = new TestCluster();
  private ClusterNode a;
  private ClusterNode b;
  private ClusterNode c;
  private ServiceDiscovery onA;
  private ServiceDiscovery onC;

  @BeforeEach
  void threeNodes() {
    a = cluster.join();
    b = cluster.join();
    c = cluster.join();
    within(Duration.ofSeconds(10), "one cluster of 3", () -> c.liveMemberIds().size() == 3);
    onA = ServiceDiscovery.create(a.vertx());
    onC = ServiceDiscovery.create(c.vertx());
  }

  @AfterEach
  void close() {
    onA.close();
    onC.close();
    cluster.close();
  }

  private static Record service(String name) {
    return HttpEndpoint.createRecord(name, "127.0.0.1", 8080, "/", new JsonObject().put("hostname", name + "-host"));
  }

  /** The announcements {@code node}'s event bus carries, as a listener collects them. */
  private static List<JsonObject> announcements(ClusterNode node) {
    List<JsonObject> heard = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> consumer = node.vertx().eventBus()
      .consumer(ServiceDiscoveryOptions.DEFAULT_ANNOUNCE_ADDRESS, message -> heard.add(message.body()));
    await(consumer.completion());
    return heard;
  }

  @Test
  void a_record_is_inserted_retrieved_updated_and_removed() {
    Record stored = await(onA.publish(service("my-service")));
    assertThat(stored.getRegistration()).isNotNull();
    assertThat(stored.getStatus()).isEqualTo(Status.UP);
    // a node reads its own writes at once
    assertThat(await(onA.getRecord(stored.getRegistration())).getName()).isEqualTo("my-service");

    stored.getMetadata().put("some-new-key", "some-new-value");
    await(onA.update(stored));
    assertThat(await(onA.getRecord(stored.getRegistration())).getMetadata().getString("some-new-key"))
      .isEqualTo("some-new-value");

    await(onA.unpublish(stored.getRegistration()));
    assertThat(await(onA.getRecord(stored.getRegistration()))).isNull();
  }

  @Test
  void several_records_are_listed_and_each_is_found() {
    for (String name : List.of("my-service-1", "my-service-2", "my-service-3")) {
      await(onA.publish(service(name)));
    }
    List<Record> records = await(onA.getRecords(record -> true));
    assertThat(records).extracting(Record::getName).containsExactlyInAnyOrder("my-service-1", "my-service-2", "my-service-3");
    for (Record record : records) {
      assertThat(await(onA.getRecord(record.getRegistration()))).isNotNull();
    }
  }

  @Test
  void lookups_by_filter_and_by_json_filter_find_what_they_ask_for() {
    await(onA.publish(service("wanted")));
    await(onA.publish(service("other")));

    assertThat(await(onA.getRecords(new JsonObject().put("name", "wanted")))).extracting(Record::getName)
      .containsExactly("wanted");
    assertThat(await(onA.getRecord(record -> record.getName().equals("other"))).getName()).isEqualTo("other");
    assertThat(await(onA.getRecord(new JsonObject().put("name", "nobody")))).isNull();
  }

  @Test
  void an_out_of_service_record_is_listed_only_when_asked_for() {
    await(onA.publish(service("resting").setStatus(Status.OUT_OF_SERVICE)));
    await(onA.publish(service("working")));

    assertThat(await(onA.getRecords(record -> true))).extracting(Record::getName).containsExactly("working");
    assertThat(await(onA.getRecords(record -> true, true))).extracting(Record::getName)
      .containsExactlyInAnyOrder("resting", "working");
    assertThat(await(onA.getRecords(new JsonObject().put("status", "OUT_OF_SERVICE")))).extracting(Record::getName)
      .containsExactly("resting");
  }

  @Test
  void a_record_published_on_one_node_is_found_on_another() {
    Record stored = await(onA.publish(service("my-service")));
    Duration found = within(Duration.ofSeconds(2), "the record found on c",
      () -> await(onC.getRecord(stored.getRegistration())) != null);
    assertThat(found).isLessThan(Duration.ofSeconds(2));
    assertThat(await(onC.getRecords(new JsonObject().put("name", "my-service")))).hasSize(1);
  }

  @Test
  void a_node_that_just_joined_lists_the_records_published_before_it() {
    Record stored = await(onA.publish(service("my-service")));
    within(Duration.ofSeconds(2), "the record found on c", () -> await(onC.getRecord(stored.getRegistration())) != null);

    ClusterNode d = cluster.join();
    ServiceDiscovery onD = ServiceDiscovery.create(d.vertx());
    try {
      // asked at once, before any wait: its answer must not be the empty copy of a node still reading
      assertThat(await(onD.getRecords(record -> true))).extracting(Record::getRegistration)
        .containsExactly(stored.getRegistration());
    } finally {
      onD.close();
    }
  }

  @Test
  void every_change_is_announced_once_on_every_node() {
    ServiceDiscovery onB = ServiceDiscovery.create(b.vertx());
    List<JsonObject> onANode = announcements(a);
    List<JsonObject> onBNode = announcements(b);
    List<JsonObject> onCNode = announcements(c);
    try {
      Record stored = await(onA.publish(service("my-service")));
      within(Duration.ofSeconds(5), "the publication announced on every node",
        () -> onANode.size() == 1 && onBNode.size() == 1 && onCNode.size() == 1);
      stored.getMetadata().put("some-new-key", "some-new-value");
      await(onA.update(stored));
      within(Duration.ofSeconds(5), "the update announced on every node",
        () -> onANode.size() == 2 && onBNode.size() == 2 && onCNode.size() == 2);
      await(onA.unpublish(stored.getRegistration()));
      within(Duration.ofSeconds(5), "the unpublication announced on every node",
        () -> onANode.size() == 3 && onBNode.size() == 3 && onCNode.size() == 3);

      for (List<JsonObject> heard : List.of(onANode, onBNode, onCNode)) {
        assertThat(heard).extracting(json -> json.getString("status")).containsExactly("UP", "UP", "DOWN");
        assertThat(heard).extracting(json -> json.getString("name")).containsOnly("my-service");
        assertThat(heard.get(1).getJsonObject("metadata").getString("some-new-key")).isEqualTo("some-new-value");
        // as vertx-service-discovery announces: a publication and an unpublication without the registration
        assertThat(heard.get(0).getString("registration")).isNull();
        assertThat(heard.get(1).getString("registration")).isEqualTo(stored.getRegistration());
        assertThat(heard.get(2).getString("registration")).isNull();
      }
      // and nothing twice
      TestCluster.throughout(Duration.ofSeconds(1), "no more announcements",
        () -> onANode.size() == 3 && onBNode.size() == 3 && onCNode.size() == 3);
    } finally {
      onB.close();
    }
  }

  @Test
  void a_killed_node_s_record_is_announced_down_on_the_others_and_gone() {
    Record stored = await(onA.publish(service("my-service")));
    within(Duration.ofSeconds(2), "the record found on c", () -> await(onC.getRecord(stored.getRegistration())) != null);
    List<JsonObject> heard = announcements(c);

    TestCluster.crash(a);

    // a's record leaves c's lookups as soon as a leaves the member list, and is swept by the oldest member
    Duration announced = within(Duration.ofSeconds(5), "DOWN announced on c", () -> heard.stream()
      .anyMatch(json -> "DOWN".equals(json.getString("status")) && "my-service".equals(json.getString("name"))));
    assertThat(announced).isLessThan(Duration.ofSeconds(5));
    assertThat(await(onC.getRecord(stored.getRegistration()))).isNull();
    assertThat(await(onC.getRecords(record -> true))).isEmpty();
  }

  @Test
  void only_its_publisher_updates_or_unpublishes_a_live_record() {
    Record stored = await(onA.publish(service("my-service")));
    within(Duration.ofSeconds(2), "the record found on c", () -> await(onC.getRecord(stored.getRegistration())) != null);

    Future<Void> unpublished = onC.unpublish(stored.getRegistration());
    assertThat(unpublished.toCompletionStage().toCompletableFuture().handle((v, err) -> err).join())
      .hasMessageContaining("only its publisher may");
    assertThat(await(onC.getRecord(stored.getRegistration()))).isNotNull();
  }
}
