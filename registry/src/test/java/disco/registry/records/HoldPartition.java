package disco.registry.records;

import com.hazelcast.map.EntryProcessor;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Holds its key's partition for {@code holdMs} where the partition lives, as a slow operation
 * does, then sets the entry to {@code json} (none: leaves it as it was). {@link #started} opens once
 * the partition is held.
 */
final class HoldPartition implements EntryProcessor<String, String, Object> {

  // static: Hazelcast may run a copy of the processor, and the members share the test's JVM
  static volatile CountDownLatch started;
  private final long holdMs;
  private final String json;

  HoldPartition(long holdMs, String json) {
    this.holdMs = holdMs;
    this.json = json;
  }

  @Override
  public Object process(Map.Entry<String, String> entry) {
    started.countDown();
    try {
      Thread.sleep(holdMs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (json != null) {
      entry.setValue(json);
    }
    return null;
  }
}
