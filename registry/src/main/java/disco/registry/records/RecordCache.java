package disco.registry.records;

import disco.registry.cluster.ClusterMember;
import disco.registry.cluster.HazelcastSettings;
import io.vertx.core.Context;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastException;
import com.hazelcast.map.MapEvent;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryMergedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.map.listener.MapClearedListener;
import disco.registry.security.ClusterSecret;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's copy of every trusted record, so that nobody reads the cluster map per request or per
 * check. A record that is not signed with the cluster's secret, or not stored under its own
 * registration, is kept apart as rejected: no reader (directory, sweeper, /cluster's records) sees
 * it, and it is reported once per content, not once per read.
 * The map's entry events keep it current within milliseconds; a whole read at start, after a merge,
 * after a member left (events of its partitions may be lost) and every {@link #RECONCILE_MS} catches
 * what events missed. A read that fails leaves the copy as it was and is tried again.
 * Confined to the node's context.
 */
final class RecordCache {

  private static final Logger LOG = LoggerFactory.getLogger(RecordCache.class);
  static final long RECONCILE_MS = 30_000;
  static final long RETRY_MS = 1_000;
  static final long FAILURE_LOG_MS = 30_000;
  static final long SUBSCRIBE_TIMEOUT_MS = 60_000;

  private final ClusterMember member;
  /** Where the copy is kept and changed. */
  private final Context context;
  private final RecordStore store;
  private final Map<String, Record> records = new HashMap<>();
  private final List<Handler<Void>> listeners = new CopyOnWriteArrayList<>();
  private final List<Handler<List<RecordChange>>> changeListeners = new CopyOnWriteArrayList<>();
  /** What the mutation under way changed, told to the listeners once it is done. Guarded by {@code records}. */
  private final List<RecordChange> pending = new ArrayList<>();
  /** Entries of the map that no reader may trust, by key. Guarded by {@code records}. */
  private final Map<String, Rejected> rejected = new HashMap<>();
  /** Keys an event changed while a whole read was under way: the event is newer than the read. */
  private Set<String> changedDuringRead;
  private boolean readAgain;
  /**
   * Whether a whole read has succeeded: what the first finds is this node learning the records, not
   * records changing, so it tells no record change ({@link #onRecordChanges}); events are told always.
   */
  private boolean loaded;
  /** Completed by the first whole read that succeeds. */
  private final Promise<Void> firstWholeRead = Promise.promise();
  /** Since when every whole read has failed, or -1; and when that was last logged. */
  private long readFailingSince = -1;
  private long lastFailureLog;
  private long retryTimer = -1;

  RecordCache(ClusterMember member, Context context, RecordStore store) {
    this.member = member;
    this.context = context;
    this.store = store;
  }

  /** On the node's context, once {@link #listenTo} subscribed the copy to the map's events. */
  void start() {
    member.onMerged(v -> readAll());
    member.onMemberChange(change -> {
      if (!change.joined()) {
        readAll();
      }
    });
    member.vertx().setPeriodic(RECONCILE_MS, id -> readAll());
    readAll();
  }

  /**
   * Subscribes to the map's events of {@code member}, at the join and after the node joined again.
   * Blocks until every member registered the listener, for {@link #SUBSCRIBE_TIMEOUT_MS} at most:
   * never call it on an event loop.
   * <p>
   * The subscription is an operation on every member, and a member too busy to answer within the
   * operation timeout fails it, as many do when a score of JVMs start together on 2 cores. So it is
   * tried again (RecordSubscriptionTest). A cluster that churns for longer than the wait does not
   * fail the start or the rejoin: the attempts go on in the background, and until every member takes
   * one, the whole read every {@link #RECONCILE_MS} brings what the missing events would have.
   * A member that took a failed attempt keeps that registration too and sends each event twice;
   * the copy takes an event as the entry's latest value, so the second changes nothing.
   */
  void listenTo(HazelcastInstance member) {
    listenTo(member, SUBSCRIBE_TIMEOUT_MS);
  }

  /** As {@link #listenTo(HazelcastInstance)}, waiting {@code waitMs} before going on in the background. */
  void listenTo(HazelcastInstance member, long waitMs) {
    long deadline = System.currentTimeMillis() + waitMs;
    while (!subscribed(member)) {
      if (System.currentTimeMillis() >= deadline) {
        LOG.warn("Not every member took the subscription to the records' events within {} ms: going on, trying "
          + "again in the background; meanwhile a whole read every {} ms brings what events miss", waitMs, RECONCILE_MS);
        Thread retries = new Thread(() -> keepSubscribing(member), "records-subscription");
        retries.setDaemon(true);
        retries.start();
        return;
      }
    }
  }

  /** The background attempts, until one is taken or the member stops. */
  private void keepSubscribing(HazelcastInstance member) {
    try {
      while (member.getLifecycleService().isRunning()) {
        if (subscribed(member)) {
          LOG.info("Subscribed to the records' events on every member");
          return;
        }
      }
    } catch (IllegalStateException e) {
      // the member stopped (it left, or joined anew and its successor subscribes; Hazelcast's "not
      // active" is one) or the process is stopping: nothing to listen to
    }
  }

  /**
   * One attempt, and none sooner than {@link #RETRY_MS} after the one before: false when a member
   * did not take it in time or the membership kept changing under it. A timeout takes the
   * operation timeout; a refusal that comes at once must not spin a core in a busy cluster.
   */
  private boolean subscribed(HazelcastInstance member) {
    long next = System.currentTimeMillis() + RETRY_MS;
    try {
      member.<String, String>getMap(HazelcastSettings.RECORDS_MAP).addEntryListener(new Events(), true);
      return true;
    } catch (HazelcastException e) {
      if (RecordStore.timedOut(e)) {
        this.member.metrics().operationTimedOut("subscribe");
      }
      LOG.warn("Subscribing to the records' events failed, trying again: {}", firstSentence(e.getMessage()));
      pauseUntil(next);
      return false;
    }
  }

  /** The joining thread, the watchdog's or the background attempts' own, never an event loop. */
  private static void pauseUntil(long time) {
    long ms = time - System.currentTimeMillis();
    if (ms <= 0) {
      return;
    }
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while subscribing to the records' events");
    }
  }

  /** Hazelcast's timeout messages go on for a whole invocation's state after their first sentence. */
  private static String firstSentence(String message) {
    int end = message == null ? -1 : message.indexOf(". ");
    return end < 0 ? String.valueOf(message) : message.substring(0, end);
  }

  List<Record> records() {
    // read from any thread (tests, /cluster): a copy taken on the node's context is not needed for a glance
    synchronized (records) {
      return List.copyOf(records.values());
    }
  }

  /** The entries of the map no reader trusts, and why: for /cluster and the dashboard. */
  JsonArray rejected() {
    JsonArray list = new JsonArray();
    synchronized (records) {
      rejected.values().forEach(entry -> list.add(entry.toJson()));
    }
    return list;
  }

  /** Completes once a whole read filled the copy: before it, the copy may lack records the cluster has. */
  Future<Void> firstWholeRead() {
    return firstWholeRead.future();
  }

  /** {@code listener}, on the node's context, after every change of the copy; the returned action stops it. */
  Runnable onChange(Handler<Void> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /**
   * As {@link #onChange}, told which records appeared, changed or went, from the end of the first
   * whole read on: what that read finds is the state this node learns, not a change.
   */
  Runnable onRecordChanges(Handler<List<RecordChange>> listener) {
    changeListeners.add(listener);
    return () -> changeListeners.remove(listener);
  }

  /** Replaces the copy by a whole read; concurrent triggers collapse into one more read. */
  void readAll() {
    if (changedDuringRead != null) {
      readAgain = true;
      return;
    }
    changedDuringRead = new HashSet<>();
    store.readAll()
      .onSuccess(snapshot -> {
        member.dataHealth().wholeReadAnswered(snapshot.whole());
        if (snapshot.whole()) {
          if (readFailingSince >= 0) {
            readFailingSince = -1;
            LOG.info("Discovery records readable again");
          }
          replaceWith(snapshot.entries(), changedDuringRead, true);
        } else {
          // partitions on the move (after a merge, say): take what answered, remove nothing yet
          replaceWith(snapshot.entries(), changedDuringRead, false);
          retryLater(snapshot.fault());
        }
      })
      .onFailure(err -> {
        member.dataHealth().wholeReadAnswered(false);
        retryLater(err.getMessage());
      })
      .onComplete(done -> {
        changedDuringRead = null;
        if (readAgain) {
          readAgain = false;
          readAll();
        }
      });
  }

  private void retryLater(String why) {
    long now = System.currentTimeMillis();
    if (readFailingSince < 0 && member.isRunning()) {
      readFailingSince = now;
      lastFailureLog = now;
      LOG.warn("Cannot read all discovery records, trying again every {} ms: {}", RETRY_MS, why);
    } else if (readFailingSince >= 0 && now - lastFailureLog >= FAILURE_LOG_MS) {
      // a failure that lasts must say so, and why now: the first reason may not be the one that lasts
      lastFailureLog = now;
      LOG.warn("Still cannot read all discovery records after {} ms: {}", now - readFailingSince, why);
    }
    if (retryTimer < 0) {
      retryTimer = member.vertx().setTimer(RETRY_MS, id -> {
        retryTimer = -1;
        readAll();
      });
    }
  }

  /** {@code whole}: entries missing from the read are gone; otherwise the read only adds and updates. */
  private void replaceWith(Map<String, String> entries, Set<String> newerByEvent, boolean whole) {
    boolean changed = false;
    boolean learning = !loaded;
    synchronized (records) {
      for (String key : Set.copyOf(records.keySet())) {
        if (whole && !entries.containsKey(key) && !newerByEvent.contains(key)) {
          changed |= drop(key);
        }
      }
      if (whole) {
        rejected.keySet().removeIf(key -> !entries.containsKey(key) && !newerByEvent.contains(key));
      }
      for (Map.Entry<String, String> entry : entries.entrySet()) {
        if (!newerByEvent.contains(entry.getKey())) {
          changed |= put(entry.getKey(), entry.getValue());
        }
      }
      if (learning) {
        pending.clear();
        loaded = whole;
      }
    }
    if (loaded) {
      firstWholeRead.tryComplete();
    }
    if (changed) {
      notifyListeners();
    }
  }

  /** A record known to be gone from the map, whose event has not arrived. On the node's context. */
  void forget(String key) {
    applyEvent(key, null);
  }

  /**
   * A record this node just wrote, whose event has not arrived: a reader of this node sees its own
   * write at once (the event, when it comes, changes nothing). On the node's context.
   */
  void written(String key, String value) {
    applyEvent(key, value);
  }

  private void applyEvent(String key, String value) {
    if (changedDuringRead != null) {
      changedDuringRead.add(key);
    }
    boolean changed;
    synchronized (records) {
      if (value == null) {
        rejected.remove(key);
        changed = drop(key);
      } else {
        changed = put(key, value);
      }
    }
    if (changed) {
      notifyListeners();
    }
  }

  /** Whether the trusted copy changed; an entry no reader may trust is set apart with one warning. */
  private boolean put(String key, String value) {
    Record record;
    try {
      record = new Record(new JsonObject(value));
    } catch (RuntimeException e) {
      reject(key, value, null, "not a discovery record (" + e.getClass().getSimpleName() + ")");
      return drop(key);
    }
    String refusal = refusal(key, record);
    if (refusal != null) {
      reject(key, value, record, refusal);
      return drop(key);
    }
    rejected.remove(key);
    Record before = records.put(key, record);
    if (before != null && before.toJson().equals(record.toJson())) {
      return false;
    }
    pending.add(new RecordChange(before, record));
    return true;
  }

  /** Whether a trusted record went from the copy. */
  private boolean drop(String key) {
    Record before = records.remove(key);
    if (before == null) {
      return false;
    }
    pending.add(new RecordChange(before, null));
    return true;
  }

  /** Why no reader may trust {@code record}, or null when it may. */
  private String refusal(String key, Record record) {
    if (!key.equals(record.getRegistration())) {
      return "stored under a key that is not its registration";
    }
    ClusterSecret.Verdict verdict = member.secret().verify(record);
    return verdict == ClusterSecret.Verdict.VALID ? null : verdict.reason();
  }

  private void reject(String key, String value, Record record, String reason) {
    Rejected before = rejected.put(key, new Rejected(key, value, record, reason));
    if (before == null || !before.value().equals(value)) {
      LOG.warn("Ignoring discovery entry {} ({}{}): {}", key, record == null ? "?" : record.getName(),
        record == null || record.getLocation() == null ? "" : " at " + record.getLocation().encode(), reason);
    }
  }

  /** An entry of the map that no reader trusts. {@code record} is null when it does not even parse. */
  private record Rejected(String key, String value, Record record, String reason) {
    JsonObject toJson() {
      return new JsonObject().put("key", key).put("name", record == null ? null : record.getName())
        .put("location", record == null ? null : record.getLocation()).put("reason", reason);
    }
  }

  private void notifyListeners() {
    List<RecordChange> changes;
    synchronized (records) {
      changes = List.copyOf(pending);
      pending.clear();
    }
    if (!changes.isEmpty()) {
      changeListeners.forEach(listener -> listener.handle(changes));
    }
    listeners.forEach(listener -> listener.handle(null));
  }

  /** Hazelcast's event threads hand every change over to the node's context. */
  private final class Events implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String>,
    EntryRemovedListener<String, String>, EntryEvictedListener<String, String>, EntryExpiredListener<String, String>,
    EntryMergedListener<String, String>, MapClearedListener {

    private void later(String key, String value) {
      context.runOnContext(v -> applyEvent(key, value));
    }

    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      later(event.getKey(), event.getValue());
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
      later(event.getKey(), event.getValue());
    }

    @Override
    public void entryMerged(EntryEvent<String, String> event) {
      later(event.getKey(), event.getValue());
    }

    @Override
    public void entryRemoved(EntryEvent<String, String> event) {
      later(event.getKey(), null);
    }

    @Override
    public void entryEvicted(EntryEvent<String, String> event) {
      later(event.getKey(), null);
    }

    @Override
    public void entryExpired(EntryEvent<String, String> event) {
      later(event.getKey(), null);
    }

    @Override
    public void mapCleared(MapEvent event) {
      context.runOnContext(v -> readAll());
    }
  }
}
