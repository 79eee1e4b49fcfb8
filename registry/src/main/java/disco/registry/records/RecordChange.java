package disco.registry.records;

import io.vertx.servicediscovery.Record;

/**
 * One trusted record of a node's copy that appeared ({@code previous} null), changed, or went
 * ({@code current} null): a publication, an update, an unpublication or a sweep anywhere in the cluster.
 */
public record RecordChange(Record previous, Record current) {

  public boolean appeared() {
    return previous == null;
  }

  public boolean went() {
    return current == null;
  }
}
