package disco.registry.records;

import static org.assertj.core.api.Assertions.assertThat;

import disco.registry.ClusterNode;
import disco.registry.TestCluster;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
}
