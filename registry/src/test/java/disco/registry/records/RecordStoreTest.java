package disco.registry.records;

import static org.assertj.core.api.Assertions.assertThat;

import disco.registry.ClusterNode;
import disco.registry.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The records' map as the copy reads it: every operation answers with a future, whatever the member's state. */
@Timeout(60)
class RecordStoreTest {

  private final TestCluster cluster = new TestCluster();

  @AfterEach
  void close() {
    cluster.close();
  }

  /**
   * Seen in a storm of 20 slips: poule's member was ended for a rejoin between the two steps of a
   * whole read, the read threw instead of failing, and poule's copy, which waits for the read under
   * way to end before it starts another, was never read whole again.
   */
  @Test
  void whole_read_on_a_member_that_is_being_ended_fails_instead_of_throwing() throws Exception {
    ClusterNode a = cluster.join();
    RecordStore store = a.clusterRecords().store();
    List<Throwable> thrown = new CopyOnWriteArrayList<>();
    AtomicBoolean ended = new AtomicBoolean();
    Thread reader = new Thread(() -> {
      // reads until well after the end, so that some start while Hazelcast shuts the member down
      for (int read = 0; read < 200_000 && !(ended.get() && read > 1_000); read++) {
        try {
          store.readAll();
        } catch (RuntimeException e) {
          thrown.add(e);
        }
      }
    });
    reader.start();
    Thread.sleep(200);
    TestCluster.crash(a);
    ended.set(true);
    reader.join(30_000);
    assertThat(thrown).as("whole reads that threw").isEmpty();
  }

  /**
   * A sweep decides from the copy; seen in a CI run, its removal of a departed node's record landed
   * after the owner, merged back under a new node id, had published the same registration again.
   */
  @Test
  void sweep_removal_takes_a_record_only_while_it_names_the_departed_node() throws Exception {
    ClusterNode a = cluster.join();
    RecordStore store = a.clusterRecords().store();
    await(store.put("r1", recordOf("r1", "new-node-id")));

    assertThat(await(store.removeIfOwnedBy("r1", "departed-node-id"))).isEqualTo(RemoveIfOwnedBy.Outcome.KEPT);
    assertThat(await(store.get("r1"))).as("the record published again").contains("new-node-id");

    await(store.put("r1", recordOf("r1", "departed-node-id")));
    assertThat(await(store.removeIfOwnedBy("r1", "departed-node-id"))).isEqualTo(RemoveIfOwnedBy.Outcome.REMOVED);
    assertThat(await(store.get("r1"))).isNull();
    assertThat(await(store.removeIfOwnedBy("r1", "departed-node-id"))).isEqualTo(RemoveIfOwnedBy.Outcome.ABSENT);

    await(store.put("r2", "not a record"));
    assertThat(await(store.removeIfOwnedBy("r2", "departed-node-id"))).isEqualTo(RemoveIfOwnedBy.Outcome.KEPT);
  }

  private static String recordOf(String registration, String nodeId) {
    return new Record().setName("slip").setRegistration(registration)
      .setMetadata(new JsonObject().put(ServiceInstance.NODE_ID, nodeId)).toJson().encode();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
