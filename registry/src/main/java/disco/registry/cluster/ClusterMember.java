package disco.registry.cluster;

import disco.registry.config.ClusterConfig;
import disco.registry.metrics.NodeMetrics;
import disco.registry.security.ClusterSecret;
import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.LifecycleEvent.LifecycleState;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.instance.impl.NodeShutdownHelper;
import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.partition.Partition;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's member of the Hazelcast cluster, beside a plain (not clustered) Vert.x that serves
 * HTTP. It joins by probing the addresses its peers' names resolve to, joins anew when it finds
 * itself stuck apart after a split, and reports membership changes and merges on the context of
 * whoever subscribed. It knows nothing of the records it holds ({@code disco.registry.records} does):
 * the records side tells {@link DataHealth} whether the cluster's data answers, and the watchdog reads it.
 */
public final class ClusterMember {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterMember.class);
  /**
   * A thread held longer than this is reported by Vert.x, with its stack: nothing here should ever
   * come close, on a starved node too (StarvedStartIT).
   */
  static final long MAX_EXECUTE_MS = 2_000;
  /** How long a node that left a split tries to start a new member before it gives up and turns unready. */
  static final long REJOIN_TIMEOUT_MS = 30_000;

  /** A member joined ({@code joined}) or left the cluster. */
  public record MemberChange(String nodeId, String address, boolean lite, boolean joined) {
  }

  private record Subscription<T>(Context context, Handler<T> handler) {
    void deliver(T event) {
      context.runOnContext(v -> handler.handle(event));
    }
  }

  private final Vertx vertx;
  /** Whether {@link #vertx} is the member's own, closed with it, or its user's. */
  private final boolean ownsVertx;
  private final Config config;
  private final DnsMemberDiscovery discovery;
  private final ClusterSecret secret;
  private final MembershipHistory history;
  private final NodeMetrics metrics;
  private volatile HazelcastInstance hazelcast;
  private LoneMemberWatchdog watchdog;
  private MastershipClaimWatch claimWatch;
  private final List<Subscription<MemberChange>> memberHandlers = new CopyOnWriteArrayList<>();
  private final List<Subscription<Void>> mergeHandlers = new CopyOnWriteArrayList<>();
  private final List<Consumer<HazelcastInstance>> newMemberHandlers = new CopyOnWriteArrayList<>();
  private volatile boolean closing;
  /** When Hazelcast's merge into another cluster began, or -1 when no merge is under way or it has joined. */
  private volatile long mergingSince = -1;
  /**
   * Hazelcast's merge holds its lifecycle lock until the merged data is written, after the join
   * too: a rejoin must end it, or terminate() waits on that lock (StuckMemberTest).
   */
  private volatile boolean mergeHoldsLock;
  /** Hazelcast stopped this member by itself: a merge whose join failed. The watchdog starts a new one. */
  private volatile boolean stoppedByItself;
  private volatile boolean rejoining;
  private volatile String nodeId;
  private final DataHealth dataHealth = new DataHealth();

  private ClusterMember(Vertx vertx, boolean ownsVertx, Config config, DnsMemberDiscovery discovery, ClusterSecret secret,
                      MembershipHistory history, HazelcastInstance hazelcast, NodeMetrics metrics) {
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    this.discovery = discovery;
    this.config = config;
    this.secret = secret;
    this.history = history;
    this.hazelcast = hazelcast;
    this.metrics = metrics;
    this.nodeId = hazelcast.getCluster().getLocalMember().getUuid().toString();
    listenTo(hazelcast);
    metrics.members(() -> members().stream().filter(member -> !member.isLiteMember()).count(),
      () -> members().stream().filter(Member::isLiteMember).count());
  }

  private void listenTo(HazelcastInstance member) {
    member.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        // during a merge, members appear once it has joined the other side: what is left (merging
        // the data) is no stuck join, though it may wait on a member that does not answer. Ended as
        // stuck, the member would join anew into partitions still migrating, unable to write its record
        mergingSince = -1;
        inet(event.getMember()).ifPresent(history::joined);
        report(event.getMember(), true);
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        int remainingData = (int) event.getMembers().stream().filter(member -> !member.isLiteMember()).count();
        inet(event.getMember()).ifPresent(address -> history.left(address, event.getMembers().size(), remainingData));
        report(event.getMember(), false);
      }
    });
    member.getLifecycleService().addLifecycleListener(event -> {
      LifecycleState state = event.getState();
      if (state == LifecycleState.MERGING) {
        mergingSince = System.currentTimeMillis();
        mergeHoldsLock = true;
      } else if (state == LifecycleState.MERGED || state == LifecycleState.MERGE_FAILED
        || state == LifecycleState.SHUTTING_DOWN) {
        mergingSince = -1;
        mergeHoldsLock = false;
      }
      if (state == LifecycleState.SHUTTING_DOWN && !closing && !rejoining) {
        LOG.warn("Hazelcast is stopping this member by itself (as it does when a merge cannot join the other side)");
        stoppedByItself = true;
      }
      if (state == LifecycleState.MERGED && !closing) {
        LOG.info("Merged back into the cluster after a split: {} members now, node id {}", members().size(), nodeId());
        metrics.merged();
        mergeHandlers.forEach(subscription -> subscription.deliver(null));
      }
    });
  }

  /**
   * Joins (or forms) the cluster described by {@code config}, whose members share {@code secret}.
   * Blocks while Hazelcast joins, so call it from a main or test thread, never from an event loop.
   * The member is not watched until {@link #watch}. {@code serializers}: as
   * {@link HazelcastSettings#build}. {@code vertx}: the Vert.x the member's events and records run on,
   * left open when the member closes; null for one of the member's own, made with {@code metrics} and
   * closed with it.
   */
  public static ClusterMember join(ClusterConfig cluster, ClusterSecret secret, NodeMetrics metrics,
                                   Map<Integer, DataSerializableFactory> serializers, Vertx vertx) {
    MembershipHistory history = new MembershipHistory();
    return join(cluster, secret, metrics, serializers, vertx, history, DnsMemberDiscovery.of(cluster, history));
  }

  /** As {@link #join(ClusterConfig, ClusterSecret, NodeMetrics, Map, Vertx)}, finding peers through {@code discovery}. */
  static ClusterMember join(ClusterConfig cluster, ClusterSecret secret, NodeMetrics metrics,
                            Map<Integer, DataSerializableFactory> serializers, Vertx given, MembershipHistory history,
                            DnsMemberDiscovery discovery) {
    Config config = HazelcastSettings.build(cluster, secret.clusterName(cluster.name()), discovery, serializers);
    // Hazelcast's start and join are most of a service's start: Vert.x and its meters are made meanwhile
    CompletableFuture<HazelcastInstance> started = new CompletableFuture<>();
    new Thread(() -> {
      try {
        started.complete(ProbingJoiner.newMember(config, discovery, List.of()));
      } catch (RuntimeException | Error e) {
        started.completeExceptionally(e);
      }
    }, "cluster-join").start();
    Vertx vertx = given != null ? given : Vertx.builder()
      .with(metrics.instrument(new VertxOptions()
        .setMaxEventLoopExecuteTime(MAX_EXECUTE_MS).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setMaxWorkerExecuteTime(MAX_EXECUTE_MS).setMaxWorkerExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setWarningExceptionTime(MAX_EXECUTE_MS).setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS)))
      .withMetrics(metrics.vertxMetrics())
      .build();
    HazelcastInstance hazelcast;
    try {
      hazelcast = started.join();
    } catch (CompletionException e) {
      if (given == null) {
        vertx.close();
      }
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
    ClusterMember member = new ClusterMember(vertx, given == null, config, discovery, secret, history, hazelcast, metrics);
    member.claimWatch = new MastershipClaimWatch(member, TimeUnit.SECONDS.toMillis(HazelcastSettings.HEARTBEAT_INTERVAL),
      TimeUnit.SECONDS.toMillis(HazelcastSettings.MAX_NO_HEARTBEAT));
    member.watchdog = new LoneMemberWatchdog(member, history, discovery);
    return member;
  }

  /**
   * Starts watching this member: for a mastership claim that waits on a lost member, and for a
   * member stuck apart, which {@link #rejoin} replaces. Call it once what listens to the member
   * itself has subscribed: a rejoin during a subscription (which may take seconds on a busy
   * cluster) would leave that subscription on the member it ended.
   */
  public void watch() {
    claimWatch.start();
    watchdog.start();
  }

  /**
   * Leaves the cluster this member is stuck apart in and joins the others from scratch, as a
   * new member, asking first those of {@code towards} that answer (the other side it saw), anyone
   * when none does. Blocks for the join: called by the watchdog's own thread.
   */
  void rejoin(String why, List<InetSocketAddress> towards) {
    if (closing) {
      return;
    }
    HazelcastInstance stuck = hazelcast;
    LOG.warn("{}: leaving and joining anew", why);
    rejoining = true;
    stoppedByItself = false;
    HazelcastInstance fresh;
    try {
      if (mergeHoldsLock) {
        endMerge(stuck);
      }
      stuck.getLifecycleService().terminate();
      history.forget();
      fresh = joinAnew(towards);
    } finally {
      rejoining = false;
    }
    if (fresh == null) {
      // not ready any more: the health check says so, and the orchestrator starts a new process
      LOG.error("Could not join the cluster anew within {} ms: this node has no cluster member", REJOIN_TIMEOUT_MS);
      return;
    }
    hazelcast = fresh;
    mergeHoldsLock = false;
    dataHealth.reset();
    listenTo(fresh);
    newMemberHandlers.forEach(handler -> handler.accept(fresh));
    LOG.info("Joined again as {}: {} members", nodeId(), members().size());
    metrics.merged();
    // the same as after a merge: re-read the records, write our own again under the new id, sweep
    mergeHandlers.forEach(subscription -> subscription.deliver(null));
  }

  /**
   * Hazelcast merges under its lifecycle lock, the join to the other side included, and that join
   * may go on for hazelcast.max.join.seconds (300 s) when the other side's master does not take it:
   * terminate() would wait for it all that time. This stops the node the way Hazelcast's own
   * failure paths do (NodeShutdownHelper), without that lock; the join then ends and releases it.
   */
  private static void endMerge(HazelcastInstance member) {
    if (member instanceof HazelcastInstanceProxy proxy) {
      try {
        NodeShutdownHelper.shutdownNodeByFiringEvents(proxy.getOriginal().node, true);
      } catch (HazelcastInstanceNotActiveException e) {
        // it stopped meanwhile: terminate() will not wait long
      }
    }
  }

  /**
   * How long Hazelcast's merge into another cluster has gone on without joining it, or -1 when none
   * is under way or it has joined.
   */
  long mergingForMs() {
    long since = mergingSince;
    return since < 0 ? -1 : System.currentTimeMillis() - since;
  }

  /** Where the records side reports whether this member reaches the cluster's data. */
  public DataHealth dataHealth() {
    return dataHealth;
  }

  /** Whether Hazelcast stopped this member by itself since the last rejoin: it needs a new one. */
  boolean stoppedByItself() {
    return stoppedByItself && !closing;
  }

  /** A new member, tried again for up to {@link #REJOIN_TIMEOUT_MS}; null when none started or the node closes. */
  private HazelcastInstance joinAnew(List<InetSocketAddress> towards) {
    long deadline = System.currentTimeMillis() + REJOIN_TIMEOUT_MS;
    while (!closing) {
      try {
        return ProbingJoiner.newMember(config, discovery, towards);
      } catch (RuntimeException e) {
        if (System.currentTimeMillis() >= deadline) {
          return null;
        }
        LOG.warn("Could not join anew, trying again: {}", e.toString());
      }
      try {
        // the watchdog's own thread (see rejoin), never an event loop: a pause between attempts
        Thread.sleep(1_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    return null;
  }

  public Vertx vertx() {
    return vertx;
  }

  /**
   * This node's Hazelcast member id. Read each time: Hazelcast gives a node a new id when it merges
   * back after a split.
   */
  public String nodeId() {
    try {
      nodeId = hazelcast.getCluster().getLocalMember().getUuid().toString();
    } catch (HazelcastInstanceNotActiveException e) {
      // shut down or crashed: the last id it had is still the one its records name
    }
    return nodeId;
  }

  /** This process's meters: Vert.x's, the JVM's and the platform's; services add their own. */
  public NodeMetrics metrics() {
    return metrics;
  }

  public boolean isRunning() {
    return hazelcast.getLifecycleService().isRunning();
  }

  /** Whether this node is leaving a cluster it was stuck apart in to join the others anew (seconds). */
  public boolean isRejoining() {
    return rejoining;
  }

  LoneMemberWatchdog watchdog() {
    return watchdog;
  }

  /** The current Hazelcast member: a new one after each rejoin. */
  public HazelcastInstance hazelcast() {
    return hazelcast;
  }

  /** The secret the members share: the cluster's name is derived from it, and records are signed with it. */
  public ClusterSecret secret() {
    return secret;
  }

  /** Called on the caller's context for each member that joins or leaves; the returned action stops it. */
  public Runnable onMemberChange(Handler<MemberChange> handler) {
    Subscription<MemberChange> subscription = new Subscription<>(vertx.getOrCreateContext(), handler);
    memberHandlers.add(subscription);
    return () -> memberHandlers.remove(subscription);
  }

  /**
   * Called on the caller's context after a split brain healed, or this node joined anew: records may
   * have come back or gone. The returned action stops it.
   */
  public Runnable onMerged(Handler<Void> handler) {
    Subscription<Void> subscription = new Subscription<>(vertx.getOrCreateContext(), handler);
    mergeHandlers.add(subscription);
    return () -> mergeHandlers.remove(subscription);
  }

  /**
   * Called with each Hazelcast member this node starts anew after a split (see {@link #rejoin}), on
   * the rejoining thread, before the merge handlers: for what listens to the member itself.
   */
  public void onNewMember(Consumer<HazelcastInstance> handler) {
    newMemberHandlers.add(handler);
  }

  public Set<String> liveMemberIds() {
    return members().stream().map(member -> member.getUuid().toString()).collect(Collectors.toSet());
  }

  /** The members, oldest first; none once this member stopped. */
  public Set<Member> members() {
    try {
      return hazelcast.getCluster().getMembers();
    } catch (HazelcastInstanceNotActiveException e) {
      return Set.of();
    }
  }

  /**
   * The partitions that have no owner among the members in this member's partition table; none
   * while the cluster has no data member, whose partitions are never assigned.
   */
  Set<Integer> ownerlessPartitions() {
    try {
      if (members().stream().allMatch(Member::isLiteMember)) {
        return Set.of();
      }
      return hazelcast.getPartitionService().getPartitions().stream()
        .filter(partition -> partition.getOwner() == null)
        .map(Partition::getPartitionId)
        .collect(Collectors.toSet());
    } catch (HazelcastInstanceNotActiveException e) {
      return Set.of();
    }
  }

  /** Whether this node is the oldest member, the one that cleans up after departed nodes. */
  public boolean isOldestMember() {
    Set<Member> members = members();
    return !members.isEmpty() && members.iterator().next().localMember();
  }

  /**
   * Stops the member's own Vert.x (a user's is left open), then leaves the cluster gracefully
   * (Hazelcast hands its partitions over first). Blocks: call it from a shutdown hook, a thread of
   * its own or a test thread, never from an event loop.
   */
  public void close(long timeout, TimeUnit unit) {
    closing = true;
    watchdog.stop();
    if (ownsVertx) {
      try {
        vertx.close().await(timeout, unit);
      } catch (Exception e) {
        LOG.warn("Vert.x did not close: {}", e.toString());
      }
    }
    hazelcast.shutdown();
  }

  static Optional<InetSocketAddress> inet(Member member) {
    return inet(member.getAddress());
  }

  static Optional<InetSocketAddress> inet(Address address) {
    try {
      return Optional.of(address.getInetSocketAddress());
    } catch (UnknownHostException e) {
      // members and discovered peers are given as IP literals: this does not happen, and then there
      // is nothing to remember or dial
      return Optional.empty();
    }
  }

  private void report(Member member, boolean joined) {
    if (closing) {
      return;
    }
    announce(new MemberChange(member.getUuid().toString(),
      member.getAddress().getHost() + ":" + member.getAddress().getPort(), member.isLiteMember(), joined));
  }

  /**
   * Tells the subscribers of a member change. Hazelcast sends these from several event threads after
   * it has changed the member list, so they may arrive late and out of order: a subscriber takes one
   * as a cue to look at the member list, never as the truth.
   */
  void announce(MemberChange change) {
    LOG.info("Member {} {} ({}{}), {} members now", change.joined() ? "joined" : "left", change.address(),
      change.nodeId(), change.lite() ? ", lite" : "", members().size());
    memberHandlers.forEach(subscription -> subscription.deliver(change));
  }
}
