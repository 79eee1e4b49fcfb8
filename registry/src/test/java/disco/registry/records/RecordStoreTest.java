package disco.registry.records;

import static org.assertj.core.api.Assertions.assertThat;

import disco.registry.ClusterNode;
import disco.registry.TestCluster;
import disco.registry.cluster.HazelcastSettings;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
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
   * A member can be ended for a rejoin between the two steps of a whole read: a read that threw
   * instead of failing would leave the copy, which waits for the read under way to end before it
   * starts another, never read whole again.
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
   * A sweep decides from the copy, and its removal of a departed node's record can land after the
   * owner, merged back under a new node id, has published the same registration again.
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

  /**
   * The tasks members send each other arrive whole through Hazelcast's own serialization
   * (RecordTasks): a whole read gathers each member's part, and a sweep's removal runs where the
   * record lives, on the other member.
   */
  @Test
  void tasks_sent_to_another_member_arrive_whole() throws Exception {
    Two nodes = twoSettled();
    ClusterNode a = nodes.a();
    ClusterNode b = nodes.b();
    RecordStore store = a.clusterRecords().store();
    String remote = keyOwnedBy(b, "remote-");
    String local = keyOwnedBy(a, "local-");
    await(store.put(remote, recordOf(remote, "departed-node-id")));
    await(store.put(local, recordOf(local, "departed-node-id")));

    RecordStore.Snapshot read = await(store.readAll());
    assertThat(read.whole()).as("every partition answered once: " + read.fault()).isTrue();
    assertThat(read.entries()).containsKeys(remote, local);
    assertThat(await(store.removeIfOwnedBy(remote, "departed-node-id"))).isEqualTo(RemoveIfOwnedBy.Outcome.REMOVED);
    assertThat(await(store.get(remote))).isNull();
  }

  /** An operation that gives up waiting fails its future, holds no thread, and is counted by kind on /metrics. */
  @Test
  void operation_that_gives_up_waiting_fails_and_is_counted_by_kind() throws Exception {
    Two nodes = twoSettled();
    ClusterNode a = nodes.a();
    ClusterNode b = nodes.b();
    String key = keyOwnedBy(b, "held-");
    HoldPartition.started = new CountDownLatch(1);
    // b's thread for the key's partition, held longer than a read may wait
    b.member().hazelcast().<String, String>getMap(HazelcastSettings.RECORDS_MAP).submitToKey(key, new HoldPartition(2 * RecordStore.TIMEOUT_MS, null));
    assertThat(HoldPartition.started.await(5, TimeUnit.SECONDS)).as("the partition held").isTrue();

    Future<String> read = a.clusterRecords().store().get(key);

    Throwable failure = read.toCompletionStage().toCompletableFuture()
      .handle((value, err) -> err).get(2 * RecordStore.TIMEOUT_MS, TimeUnit.MILLISECONDS);
    assertThat(failure).as("the read's failure").isNotNull();
    assertThat(failure.getMessage()).contains("read " + key + " failed");
    assertThat(a.metrics().scrape()).contains("disco_cluster_operation_timeouts_total{operation=\"read\"} 1.0");
  }

  private record Two(ClusterNode a, ClusterNode b) {
  }

  /** Two members, once their partitions have settled: each owns some. */
  private Two twoSettled() {
    ClusterNode a = cluster.join();
    ClusterNode b = cluster.join();
    TestCluster.within(Duration.ofSeconds(20), "partitions settled",
      () -> a.member().hazelcast().getPartitionService().isClusterSafe());
    return new Two(a, b);
  }

  /** A key of a partition that {@code node} owns. */
  private static String keyOwnedBy(ClusterNode node, String prefix) {
    return IntStream.range(0, 10_000).mapToObj(i -> prefix + i)
      .filter(k -> node.member().hazelcast().getPartitionService().getPartition(k).getOwner().localMember())
      .findFirst().orElseThrow();
  }

  private static String recordOf(String registration, String nodeId) {
    return new Record().setName("slip").setRegistration(registration)
      .setMetadata(new JsonObject().put(ServiceInstance.NODE_ID, nodeId)).toJson().encode();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
