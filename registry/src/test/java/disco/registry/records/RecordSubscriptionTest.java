package disco.registry.records;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.cluster.Address;
import com.hazelcast.map.impl.MapService;
import com.hazelcast.spi.impl.operationservice.Operation;
import com.hazelcast.spi.impl.operationservice.impl.OperationServiceImpl;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import disco.registry.ClusterNode;
import disco.registry.TestCluster;
import disco.registry.cluster.HazelcastSettings;

/** A node's copy of the records subscribes to the map's events on every member, busy or not. */
@Timeout(60)
class RecordSubscriptionTest {

  private final TestCluster cluster = new TestCluster();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void close() {
    release.countDown();
    cluster.close();
  }

  @Test
  void subscription_that_a_busy_member_lets_time_out_is_tried_again() {
    ClusterNode joining = cluster.join();
    ClusterNode busy = cluster.join();
    holdOperationThreads(busy, 3L * HazelcastSettings.OPERATION_TIMEOUT_MS);

    long start = System.nanoTime();
    joining.clusterRecords().cache().listenTo(joining.member().hazelcast());

    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).as("the first attempt timed out").isGreaterThan(Duration.ofMillis(HazelcastSettings.OPERATION_TIMEOUT_MS));
    assertThat(busy.liveMemberIds()).as("the busy member stayed").hasSize(2);
  }

  @Test
  void subscription_still_refused_after_the_wait_goes_on_in_the_background_and_is_taken_once_the_member_answers() {
    ClusterNode joining = cluster.join();
    ClusterNode busy = cluster.join();
    long heldMs = 10_000;
    int before = registrationsOf(joining, busy);
    holdOperationThreads(busy, heldMs);

    long start = System.nanoTime();
    joining.clusterRecords().cache().listenTo(joining.member().hazelcast(), 1);

    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("went on while the busy member still did not answer")
      .isLessThan(Duration.ofMillis(heldMs));
    TestCluster.within(Duration.ofSeconds(30), "the busy member takes a later attempt",
      () -> registrationsOf(joining, busy) == before + 1);
  }

  /**
   * Holds every generic operation thread of {@code busy} for {@code ms}: a subscription's operation
   * waits in its queue past the operation timeout, as on a member starved of CPU. Heartbeats run on
   * its priority thread, so it stays a member.
   */
  private void holdOperationThreads(ClusterNode busy, long ms) {
    OperationServiceImpl operations = (OperationServiceImpl) TestCluster.hazelcastNode(busy).getNodeEngine().getOperationService();
    for (int i = 0; i < operations.getOperationExecutor().getGenericThreadCount(); i++) {
      operations.execute(new Operation() {
        @Override
        public void run() throws InterruptedException {
          release.await(20, TimeUnit.SECONDS);
        }
      });
    }
    CompletableFuture.delayedExecutor(ms, TimeUnit.MILLISECONDS).execute(release::countDown);
  }

  /** How many subscriptions of {@code subscriber} to the records' events {@code member} holds. */
  private static int registrationsOf(ClusterNode subscriber, ClusterNode member) {
    Address address = TestCluster.hazelcastNode(subscriber).getThisAddress();
    return (int) TestCluster.hazelcastNode(member).getNodeEngine().getEventService()
      .getRegistrations(MapService.SERVICE_NAME, HazelcastSettings.RECORDS_MAP).stream()
      .filter(registration -> registration.getSubscriber().equals(address))
      .count();
  }
}
