package disco.registry.records;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import com.hazelcast.partition.Partition;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Run on one member by {@link RecordStore#readAll()}: the entries of the partitions this member owns,
 * and which partitions those are, so the caller can tell a whole read from a partial one.
 */
final class LocalRecords implements Callable<LocalRecords.Part>, IdentifiedDataSerializable, HazelcastInstanceAware {

  /** One member's share of the map. */
  static final class Part implements IdentifiedDataSerializable {

    private Map<String, String> entries;
    private int[] partitions;

    /** For {@link RecordTasks}: fields come from {@link #readData}. */
    Part() {
    }

    Part(Map<String, String> entries, int[] partitions) {
      this.entries = entries;
      this.partitions = partitions;
    }

    Map<String, String> entries() {
      return entries;
    }

    int[] partitions() {
      return partitions;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeInt(entries.size());
      for (Map.Entry<String, String> entry : entries.entrySet()) {
        out.writeString(entry.getKey());
        out.writeString(entry.getValue());
      }
      out.writeIntArray(partitions);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      int size = in.readInt();
      entries = new HashMap<>(Math.max(4, size * 2));
      for (int i = 0; i < size; i++) {
        entries.put(in.readString(), in.readString());
      }
      partitions = in.readIntArray();
    }

    @Override
    public int getFactoryId() {
      return RecordTasks.FACTORY_ID;
    }

    @Override
    public int getClassId() {
      return RecordTasks.LOCAL_RECORDS_PART;
    }
  }

  private String mapName;
  private transient HazelcastInstance hazelcast;

  /** For {@link RecordTasks}: the map's name comes from {@link #readData}. */
  LocalRecords() {
  }

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
    Map<String, String> entries = new HashMap<>(map.getAll(keys));
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

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(mapName);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    mapName = in.readString();
  }

  @Override
  public int getFactoryId() {
    return RecordTasks.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return RecordTasks.LOCAL_RECORDS;
  }
}
