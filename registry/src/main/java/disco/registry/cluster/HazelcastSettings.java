package disco.registry.cluster;

import disco.registry.config.ClusterConfig;
import com.hazelcast.config.AdvancedNetworkConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.DiscoveryStrategyConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.ServerSocketEndpointConfig;
import com.hazelcast.nio.serialization.DataSerializableFactory;
import java.util.Map;

/**
 * The Hazelcast configuration every node uses: tcp-ip join on resolved addresses, fast failure
 * detection, quick split-brain healing, and no cluster operation allowed to wait long.
 */
public final class HazelcastSettings {

  /** vertx-service-discovery's map of records: key = registration id, value = the record's JSON text. */
  public static final String RECORDS_MAP = "service.registry";

  /** Seconds; docs/RELIABILITY.md has the measurements behind them. */
  public static final int HEARTBEAT_INTERVAL = 1;
  public static final int MAX_NO_HEARTBEAT = 3;
  /**
   * Seconds between split-brain checks: a member that was frozen, or the members of a node that was
   * cut off, merge back on the first check that finds the other side once it answers again.
   */
  public static final int MERGE_DELAY = 2;
  /**
   * An operation on a frozen member fails after this instead of Hazelcast's 60 s: a caller retries
   * against the records it already holds rather than waiting on a member that cannot answer.
   */
  public static final int OPERATION_TIMEOUT_MS = 1_500;

  public static final int PARTITIONS = 31;
  /**
   * Seconds a connection attempt to another member may take. A peer that is there accepts within
   * milliseconds; the kernel resends a lost SYN after 1 s. Hazelcast's advanced network config sets
   * no limit by default (0), so an attempt made while a node was cut off went on resending SYNs for
   * up to 127 s, doubling the pause each time, and Hazelcast makes no second attempt to an address
   * while one is under way: after a heal, the split-brain check's message to the other side waited
   * for that attempt's next SYN: 3.8 and 4.1 s in the two heals traced, up to 15 s after a 30 s cut
   * (an attempt made 14 s into it sends its SYNs at 15, 17, 21, 29 and 45 s), and a merge needs
   * several connections.
   */
  public static final int SOCKET_CONNECT_TIMEOUT = 2;
  /**
   * When the master is lost, the next oldest member claims mastership and asks every member for its
   * view. A member accepts only once its own heartbeat deadline for the master has run out, up to a
   * heartbeat interval after the claimant's; until then it answers "retry". Hazelcast retries the
   * claim as many times as this timeout has seconds: the first 5 at once, the next with a pause
   * that doubles from 1 ms to 500 ms. At 4 (4 retries within milliseconds) the claimant dropped every
   * member that had not yet suspected the master and stayed alone: the cluster shattered on a
   * frozen master on loopback (FrozenMemberIT) and on a 3-node swarm's rolling update, where the
   * split never healed. At 20 the others have 3.5 s to agree. It also bounds the wait on a member
   * that does not answer at all, but that member is suspected itself within the heartbeat deadline,
   * and the claim stops waiting on it then (at the latest 5 s into the claim, Hazelcast's poll step).
   */
  public static final int MASTERSHIP_CLAIM_TIMEOUT = 20;
  /**
   * Seconds a partition migration may take before it fails and the master plans it again; 300 by
   * default. A migration's message to a member its holder cannot connect to is dropped after a few
   * tries, and the partition then refuses every write until this runs out. After a heal, the overlay
   * connects the cut-off slips with the tasks Swarm started during the cut 15 to over 80 s late, and
   * a cut-off slip whose record lay in such a partition stayed uncalled until Swarm stopped it
   * (docs/RELIABILITY.md, item 28). Migrating a partition of a few records takes milliseconds.
   */
  public static final int MIGRATION_TIMEOUT = 15;
  /**
   * Seconds a joining member's start waits to be connected to every member: Hazelcast checks once a
   * second, 120 times by default, before the start goes on. The connections a joiner opens to every
   * member of a large cluster are seldom all up at the first check, so the join paid a whole second,
   * sometimes more; and a member it cannot reach (frozen, or across a half-healed overlay) held the
   * start until that member was gone. With none, the start goes on at once and each connection comes
   * up when first used, as it does for the members already there: a slip joining a cluster of 21
   * was ready after 1.96-2.84 s instead of 2.51-5.05 s, 6 joins each, alternated (docs/BENCHMARKS.md).
   */
  public static final int CONNECT_ALL_WAIT = 0;
  /** Milliseconds before Hazelcast tries again an operation that met a failure it retries (a migrating partition). */
  public static final int RETRY_PAUSE_MS = 100;

  private HazelcastSettings() {
  }

  /**
   * {@code clusterName}: the name derived from the cluster secret, the one Hazelcast checks at join.
   * {@code serializers}: the factories, by id, of the classes members send each other; every member
   * must register the same.
   */
  public static Config build(ClusterConfig cluster, String clusterName, DnsMemberDiscovery discovery,
                             Map<Integer, DataSerializableFactory> serializers) {
    Config config = new Config();
    serializers.forEach(config.getSerializationConfig()::addDataSerializableFactory);
    config.setClusterName(clusterName);
    config.setLiteMember(cluster.lite());

    // the advanced network config, with a member endpoint only: its connections wait for a silent
    // peer without spinning. The plain one (one port for members, clients and REST) negotiates the
    // protocol in an encoder that, on a connection to a frozen member (whose kernel still accepts),
    // keeps an output thread at 100% of a core until the peer answers (FrozenPeerTest), which starved
    // the member's heartbeats under the stack's CPU limit and got healthy members expelled.
    ServerSocketEndpointConfig members = new ServerSocketEndpointConfig()
      .setPort(cluster.port()).setPortAutoIncrement(true).setPortCount(100)
      .setPublicAddress(cluster.host())
      .setSocketConnectTimeoutSeconds(SOCKET_CONNECT_TIMEOUT);
    members.getInterfaces().setEnabled(true).addInterface(cluster.host());
    AdvancedNetworkConfig network = config.getAdvancedNetworkConfig().setEnabled(true).setMemberEndpointConfig(members);

    // overlay networks carry no multicast, auto-detection would probe clouds, and a static tcp-ip
    // list would never see the members whose names resolve only later
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    // the tcp-ip connection timeout stays Hazelcast's 5 s: it is how long a joiner asks for a master
    // before it claims mastership itself, and a claim waits on every address it asks, reachable or
    // not. Tried at 2 s (a fresh stack then formed 3 s sooner), a CI run had its rescheduled slips
    // healthy 50 s after a node loss, against 17-20 s at 5 s: joins towards addresses that may not
    // answer yet.
    join.getTcpIpConfig().setEnabled(false);
    join.getDiscoveryConfig().addDiscoveryStrategyConfig(
      new DiscoveryStrategyConfig(discovery));
    config.setProperty("hazelcast.discovery.enabled", "true");

    // a write must not wait on a backup held by a frozen member; every data member still keeps a
    // copy (up to 3 in all), so records survive the loss of any two members
    config.addMapConfig(new MapConfig(RECORDS_MAP).setBackupCount(0).setAsyncBackupCount(2));

    // records are a few hundred bytes each: 271 partitions (the default) only multiply the migrations
    // every scale event and every freeze set off, on machines where a busy core delays heartbeats
    config.setProperty("hazelcast.partition.count", String.valueOf(PARTITIONS));
    // nothing reads Hazelcast's metrics here; collecting them costs a busy 2-core node CPU
    config.getMetricsConfig().setEnabled(false);

    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.socket.bind.any", "false");
    // SIGTERM first unpublishes and drains: ServiceLauncher shuts Hazelcast down after that
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    // the master takes a join request at once unless it took another less than this long ago, so
    // joiners that come together are still taken together. Its default batching (max.wait 20 s)
    // held every join for this second, which cost a slip joining a running cluster a second of its
    // start; with no wait at all, 20 slips started at once took 59 s to be called instead of 33 s
    // (docs/BENCHMARKS.md). A joiner gives up on a master that does not take it after 10 s plus
    // max.wait. Its own first look for peers is ProbingJoiner's and does not wait on either.
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    config.setProperty("hazelcast.max.wait.seconds.before.join", "0");
    // an operation that meets a partition migrating, as a joining member's first write can, is tried
    // again after this pause: 500 ms by default
    config.setProperty("hazelcast.invocation.retry.pause.millis", String.valueOf(RETRY_PAUSE_MS));
    config.setProperty("hazelcast.partition.migration.timeout", String.valueOf(MIGRATION_TIMEOUT));
    config.setProperty("hazelcast.connect.all.wait.seconds", String.valueOf(CONNECT_ALL_WAIT));
    config.setProperty("hazelcast.heartbeat.failuredetector.type", "deadline");
    config.setProperty("hazelcast.heartbeat.interval.seconds", String.valueOf(HEARTBEAT_INTERVAL));
    config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(MAX_NO_HEARTBEAT));
    config.setProperty("hazelcast.merge.first.run.delay.seconds", String.valueOf(MERGE_DELAY));
    config.setProperty("hazelcast.merge.next.run.delay.seconds", String.valueOf(MERGE_DELAY));
    config.setProperty("hazelcast.operation.call.timeout.millis", String.valueOf(OPERATION_TIMEOUT_MS));
    // Hazelcast's default is 120 s: MASTERSHIP_CLAIM_TIMEOUT says why 20
    config.setProperty("hazelcast.mastership.claim.timeout.seconds", String.valueOf(MASTERSHIP_CLAIM_TIMEOUT));
    config.setProperty("hazelcast.graceful.shutdown.max.wait", "15");
    // socket writes stay on Hazelcast's IO threads: a caller's thread never does network I/O
    config.setProperty("hazelcast.io.write.through", "false");
    return config;
  }
}
