package disco.registry.records;

import disco.registry.cluster.ClusterMember;
import disco.registry.cluster.HazelcastSettings;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.OperationTimeoutException;
import com.hazelcast.map.IMap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * The records' map in the cluster, reached only through operations that never hold a thread and
 * that each fail after {@link #TIMEOUT_MS}: a frozen or unreachable member delays an answer, it never
 * blocks a caller. Each operation is handed to Hazelcast from a worker thread, not the caller's event
 * loop: Hazelcast serializes it and looks up its partition and proxy there, which costs microseconds
 * once warm but loads classes at a first use, seconds on a starved node (StarvedStartIT). Futures
 * complete on the caller's context.
 */
final class RecordStore {

  static final long TIMEOUT_MS = 3_000;
  private static final String READER = "disco.records.reader";

  private final ClusterMember member;

  RecordStore(ClusterMember member) {
    this.member = member;
  }

  /** The map of the current member: a member that joined again is a new Hazelcast instance. */
  IMap<String, String> map() {
    return member.hazelcast().getMap(HazelcastSettings.RECORDS_MAP);
  }

  Future<Void> put(String registration, String json) {
    return call("write", registration, () -> map().setAsync(registration, json));
  }

  Future<String> get(String registration) {
    return call("read", registration, () -> map().getAsync(registration));
  }

  /** Whether there was a record to remove. */
  Future<Boolean> remove(String registration) {
    return this.<String>call("remove", registration, () -> map().removeAsync(registration)).map(old -> old != null);
  }

  /** Removes the record of {@code registration} only while it names {@code owner}. */
  Future<RemoveIfOwnedBy.Outcome> removeIfOwnedBy(String registration, String owner) {
    return call("sweep", registration, () -> map().submitToKey(registration, new RemoveIfOwnedBy(owner)));
  }

  /**
   * What a whole read got: {@code whole} only when every partition answered exactly once; otherwise
   * {@code fault} says what did not.
   */
  record Snapshot(Map<String, String> entries, boolean whole, String fault) {
  }

  /**
   * Every entry of the map, read without a blocking call: each data member returns the entries of
   * the partitions it owns. While partitions move (a merge, a member that did not answer in time)
   * the snapshot is not whole, so a caller never takes a partial read for the whole map.
   */
  Future<Snapshot> readAll() {
    try {
      return readEachMembersPart();
    } catch (RuntimeException e) {
      // Hazelcast refuses at once once the member is being ended, as a rejoin does; a read that threw
      // left poule's copy waiting for it to end, never read whole again (RecordStoreTest)
      return Future.failedFuture("read all failed: " + e.getMessage());
    }
  }

  private Future<Snapshot> readEachMembersPart() {
    List<Member> members = member.members().stream().filter(holder -> !holder.isLiteMember()).toList();
    if (members.isEmpty()) {
      return Future.failedFuture("no data member in the cluster");
    }
    List<Future<LocalRecords.Part>> parts = members.stream()
      .map(holder -> call("read-part", "from " + holder.getAddress(), () -> {
        IExecutorService executor = member.hazelcast().getExecutorService(READER);
        return (CompletionStage<LocalRecords.Part>) executor.submitToMember(new LocalRecords(HazelcastSettings.RECORDS_MAP), holder);
      }))
      .toList();
    int partitions = member.hazelcast().getPartitionService().getPartitions().size();
    return Future.join(parts).recover(err -> Future.succeededFuture()).map(done -> {
      boolean[] seen = new boolean[partitions];
      int twice = 0;
      List<String> faults = new ArrayList<>();
      Map<String, String> entries = new HashMap<>();
      for (Future<LocalRecords.Part> part : parts) {
        if (part.failed()) {
          faults.add(part.cause().getMessage());
          continue;
        }
        for (int partition : part.result().partitions()) {
          if (partition < 0 || partition >= partitions || seen[partition]) {
            twice++;
          } else {
            seen[partition] = true;
          }
        }
        entries.putAll(part.result().entries());
      }
      if (twice > 0) {
        faults.add(twice + " partitions answered twice or unknown here");
      }
      long unanswered = IntStream.range(0, partitions).filter(partition -> !seen[partition]).count();
      if (unanswered > 0) {
        faults.add(unanswered + " of " + partitions + " partitions answered by no member");
      }
      return new Snapshot(entries, faults.isEmpty(), faults.isEmpty() ? null : String.join("; ", faults));
    });
  }

  /**
   * {@code operation} started on a worker, its answer on the caller's context. The caller's
   * operations start in the order it asked for them (a removal never overtakes the write before it).
   * Hazelcast refuses at once when it is shutting down or not joined: that fails the future as a late
   * answer would. One that gave up waiting, on this timeout or Hazelcast's, is counted by {@code kind}.
   */
  private <T> Future<T> call(String kind, String on, Supplier<CompletionStage<T>> operation) {
    Context caller = member.vertx().getOrCreateContext();
    return caller.executeBlocking(operation::get, true)
      .compose(started -> Future.fromCompletionStage(started, caller))
      .timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS)
      .recover(err -> {
        if (timedOut(err)) {
          member.metrics().operationTimedOut(kind);
        }
        return Future.failedFuture(kind + " " + on + " failed: " + err.getMessage());
      });
  }

  /** Whether {@code err}, or what it wraps, is a wait given up: this store's timeout or Hazelcast's. */
  static boolean timedOut(Throwable err) {
    for (Throwable cause = err; cause != null; cause = cause.getCause()) {
      if (cause instanceof TimeoutException || cause instanceof OperationTimeoutException) {
        return true;
      }
    }
    return false;
  }
}
