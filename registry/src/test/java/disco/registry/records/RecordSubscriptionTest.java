package disco.registry.records;

import static org.assertj.core.api.Assertions.assertThat;

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
    // every generic operation thread of the busy member held: the subscription's operation waits
    // in its queue past the operation timeout, as on a member starved of CPU. Heartbeats run on
    // its priority thread, so it stays a member.
    OperationServiceImpl operations = (OperationServiceImpl) TestCluster.hazelcastNode(busy).getNodeEngine().getOperationService();
    for (int i = 0; i < operations.getOperationExecutor().getGenericThreadCount(); i++) {
      operations.execute(new Operation() {
        @Override
        public void run() throws InterruptedException {
          release.await(20, TimeUnit.SECONDS);
        }
      });
    }
    CompletableFuture.delayedExecutor(3L * HazelcastSettings.OPERATION_TIMEOUT_MS, TimeUnit.MILLISECONDS)
      .execute(release::countDown);

    long start = System.nanoTime();
    joining.clusterRecords().cache().listenTo(joining.member().hazelcast());

    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).as("the first attempt timed out").isGreaterThan(Duration.ofMillis(HazelcastSettings.OPERATION_TIMEOUT_MS));
    assertThat(busy.liveMemberIds()).as("the busy member stayed").hasSize(2);
  }
}
