package disco.registry.records;

import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.util.Map;

/**
 * The classes the members of a cluster send each other for the records, made by id. Hazelcast's
 * {@link IdentifiedDataSerializable} writes their fields and nothing else: no reflection and no
 * class generated at a first use, as Java serialization costs, so sending one costs a caller
 * microseconds (StarvedStartIT). Every member must know this factory: it is part of the wire format.
 */
public final class RecordTasks implements DataSerializableFactory {

  /** Hazelcast's own factories have negative ids. */
  public static final int FACTORY_ID = 1_701;
  static final int LOCAL_RECORDS = 1;
  static final int LOCAL_RECORDS_PART = 2;
  static final int REMOVE_IF_OWNED_BY = 3;

  /** The factories to register on every member's serialization config, by id. */
  public static Map<Integer, DataSerializableFactory> serializers() {
    return Map.of(FACTORY_ID, new RecordTasks());
  }

  @Override
  public IdentifiedDataSerializable create(int typeId) {
    return switch (typeId) {
      case LOCAL_RECORDS -> new LocalRecords();
      case LOCAL_RECORDS_PART -> new LocalRecords.Part();
      case REMOVE_IF_OWNED_BY -> new RemoveIfOwnedBy();
      // a member of another release: Hazelcast fails the operation with this message
      default -> throw new IllegalArgumentException("unknown record task type " + typeId);
    };
  }
}
