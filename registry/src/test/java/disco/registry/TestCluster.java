package disco.registry;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.instance.impl.Node;
import disco.registry.cluster.HazelcastSettings;
import disco.registry.cluster.TestMembers;
import disco.registry.config.ClusterConfig;
import disco.registry.security.ClusterSecret;
import io.vertx.core.Future;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import disco.registry.records.ServiceIdentity;
import disco.registry.records.ServiceInstance;
import io.vertx.servicediscovery.Record;

/** Cluster nodes on loopback under a cluster name of their own, closed together; and polling with a deadline. */
public final class TestCluster implements AutoCloseable {

  /** The secret of every test cluster: tests that need another pass their own. */
  public static final String SECRET_TEXT = "a-test-cluster-secret-of-some-length";
  public static final ClusterSecret SECRET = ClusterSecret.of(SECRET_TEXT);

  private final String name = "test-" + UUID.randomUUID().toString().substring(0, 8);
  // tests start members from several threads at once
  private final List<ClusterNode> nodes = new CopyOnWriteArrayList<>();

  public String name() {
    return name;
  }

  public ClusterNode join() {
    return join(ClusterConfig.loopback(name));
  }

  public ClusterNode join(ClusterConfig config) {
    return join(config, SECRET);
  }

  public ClusterNode join(ClusterConfig config, ClusterSecret secret) {
    ClusterNode node = ClusterNode.join(config, secret);
    nodes.add(node);
    return node;
  }

  /** A member whose names never resolve, and that finds its peers listening at {@code network} instead. */
  public ClusterNode join(ClusterConfig config, List<InetSocketAddress> network) {
    ClusterNode node = ClusterNode.of(TestMembers.join(config, SECRET, network));
    nodes.add(node);
    return node;
  }

  @Override
  public void close() {
    for (ClusterNode node : nodes) {
      try {
        node.close(20, TimeUnit.SECONDS);
      } catch (RuntimeException e) {
        // a node a test crashed on purpose may fail to close: the others still must
      }
    }
  }

  /** Writes {@code value} under {@code key} straight into the discovery map, as any member could. */
  public static void putRaw(ClusterNode node, String key, String value) {
    node.member().hazelcast().<String, String>getMap(HazelcastSettings.RECORDS_MAP).set(key, value);
  }

  /**
   * A plain Hazelcast lite member (no record of its own, no partitions) that joins the cluster at
   * {@code address} ("host:port") by its name alone, without the secret: what an intruder who learned
   * the derived name could start. Members accept no Hazelcast clients, so this is the way in.
   */
  public static HazelcastInstance rawMember(String clusterName, String address) {
    Config config = new Config().setClusterName(clusterName).setLiteMember(true);
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    // a join is refused on a partition count other than the cluster's: the intruder copies it
    config.setProperty("hazelcast.partition.count", String.valueOf(HazelcastSettings.PARTITIONS));
    config.getNetworkConfig().setPort(5701).setPortAutoIncrement(true).setPortCount(200);
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).addMember(address);
    return Hazelcast.newHazelcastInstance(config);
  }

  /** The Hazelcast internals of {@code node}'s current member, for tests that act as Hazelcast would. */
  public static Node hazelcastNode(ClusterNode node) {
    return ((HazelcastInstanceProxy) node.member().hazelcast()).getOriginal().node;
  }

  /** The node ids that the records in {@code node}'s copy name as their owners. */
  public static Set<String> owners(ClusterNode node) {
    return node.records().stream().map(ServiceInstance::ownerOf).collect(Collectors.toSet());
  }

  /** Ends {@code node}'s member at once, as a killed process's: no record removed, no leave announced. */
  public static void crash(ClusterNode node) {
    TestMembers.crash(node.member());
  }

  /**
   * Crashes the nodes at the same moment, as a split or a host's loss does. One after the other
   * would not do: a terminate takes up to a second, long enough for the next node to see a loss
   * alone and act on it (sweep its records) before its own crash.
   */
  public static void crashTogether(ClusterNode... nodes) {
    CompletableFuture.allOf(Arrays.stream(nodes)
      .map(node -> CompletableFuture.runAsync(() -> crash(node)))
      .toArray(CompletableFuture[]::new)).join();
  }

  /** Publishes, as {@code node}, a slip record for {@code hostname} at 127.0.0.1:{@code port}; returns it as stored. */
  public static Record publish(ClusterNode node, String hostname, int port) {
    return publish(node, hostname, port, null);
  }

  /** As {@link #publish(ClusterNode, String, int)}, under {@code registration} (null: a new one). */
  public static Record publish(ClusterNode node, String hostname, int port, String registration) {
    Record record = ServiceInstance.record(new ServiceIdentity("slip", hostname, "test", 1L), "127.0.0.1", port);
    return await(node.clusterRecords().publish(record.setRegistration(registration)));
  }

  /** The slip instances {@code node} would call now: the records of live publishers, as the resolver sees them. */
  public static List<ServiceInstance> instances(ClusterNode node) {
    return node.liveInstances("slip");
  }

  public static <T> T await(Future<T> future) {
    try {
      return future.await(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no result within 30 s", e);
    }
  }

  /** Polls {@code condition} until it holds; returns how long that took, or fails after {@code limit}. */
  public static Duration within(Duration limit, String what, BooleanSupplier condition) {
    long start = System.nanoTime();
    long deadline = start + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not true within " + limit.toMillis() + " ms");
      }
      pause();
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** Polls {@code condition} for the whole of {@code period}; fails the moment it is false. */
  public static void throughout(Duration period, String what, BooleanSupplier condition) {
    long end = System.nanoTime() + period.toNanos();
    while (System.nanoTime() < end) {
      if (!condition.getAsBoolean()) {
        throw new AssertionError(what + ": no longer true");
      }
      pause();
    }
  }

  /** Polls until {@code value} yields non-null. */
  public static <T> T until(Duration limit, String what, Supplier<T> value) {
    Object[] found = new Object[1];
    within(limit, what, () -> (found[0] = value.get()) != null);
    @SuppressWarnings("unchecked")
    T result = (T) found[0];
    return result;
  }

  private static void pause() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
