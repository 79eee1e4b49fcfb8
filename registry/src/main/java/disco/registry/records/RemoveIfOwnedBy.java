package disco.registry.records;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import java.io.IOException;
import java.util.Map;

/**
 * Run where a record's partition lives by {@link RecordStore#removeIfOwnedBy}: removes the record only
 * while it still names the departed node. A sweep decides from the copy, and its removal can land
 * after the owner published the same registration again under its new node id, as a member merging
 * back after a split does; an unconditional removal would take a live instance out of its callers'
 * pools until its owner noticed (RecordCleanupTest, RecordStoreTest).
 */
final class RemoveIfOwnedBy implements EntryProcessor<String, String, RemoveIfOwnedBy.Outcome>, IdentifiedDataSerializable {

  enum Outcome {
    /** The record named the departed node and is gone. */
    REMOVED,
    /** There was no record: removed meanwhile. */
    ABSENT,
    /** The record names another node now (or cannot be read): kept. */
    KEPT
  }

  private String owner;

  /** For {@link RecordTasks}: the owner comes from {@link #readData}. */
  RemoveIfOwnedBy() {
  }

  RemoveIfOwnedBy(String owner) {
    this.owner = owner;
  }

  @Override
  public Outcome process(Map.Entry<String, String> entry) {
    String value = entry.getValue();
    if (value == null) {
      return Outcome.ABSENT;
    }
    String current;
    try {
      current = ServiceInstance.ownerOf(new Record(new JsonObject(value)));
    } catch (DecodeException | ClassCastException e) {
      // not a record the sweep took it for: the copy's readers set such an entry apart, nobody removes it
      return Outcome.KEPT;
    }
    if (!owner.equals(current)) {
      return Outcome.KEPT;
    }
    entry.setValue(null);
    return Outcome.REMOVED;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(owner);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    owner = in.readString();
  }

  @Override
  public int getFactoryId() {
    return RecordTasks.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return RecordTasks.REMOVE_IF_OWNED_BY;
  }
}
