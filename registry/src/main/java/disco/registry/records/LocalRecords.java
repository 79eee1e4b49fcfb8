package disco.registry.records;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.Partition;
import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Run on one member by {@link RecordStore#readAll()}: the entries of the partitions this member owns,
 * and which partitions those are, so the caller can tell a whole read from a partial one.
 */
final class LocalRecords implements Callable<LocalRecords.Part>, Serializable, HazelcastInstanceAware {

  private static final long serialVersionUID = 1L;

  /** One member's share of the map. */
  record Part(HashMap<String, String> entries, int[] partitions) implements Serializable {
  }

  private final String mapName;
  private transient HazelcastInstance hazelcast;

  LocalRecords(String mapName) {
    this.mapName = mapName;
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
  }

  @Override
  public Part call() {
    int[] before = owned();
    IMap<String, String> map = hazelcast.getMap(mapName);
    Set<String> keys = map.localKeySet();
    HashMap<String, String> entries = new HashMap<>(map.getAll(keys));
    int[] after = owned();
    // a partition that moved meanwhile may be missing or counted twice: report none, the caller retries
    return Arrays.equals(before, after) ? new Part(entries, after) : new Part(new HashMap<>(), new int[] {-1});
  }

  private int[] owned() {
    return hazelcast.getPartitionService().getPartitions().stream()
      .filter(partition -> partition.getOwner() != null && partition.getOwner().localMember())
      .mapToInt(Partition::getPartitionId)
      .toArray();
  }
}
