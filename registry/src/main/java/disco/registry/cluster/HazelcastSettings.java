package disco.registry.cluster;

import disco.registry.config.ClusterConfig;
import com.hazelcast.config.AdvancedNetworkConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.DiscoveryStrategyConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.ServerSocketEndpointConfig;
import com.hazelcast.nio.serialization.DataSerializableFactory;
import java.util.Map;

/**
 * The Hazelcast configuration every node uses: join through discovery on resolved addresses, fast
 * failure detection, quick split-brain healing, and no cluster operation allowed to wait long. Each
 * setting beside Hazelcast's default, with what it buys and costs, is in docs/DESIGN.md; the ones a
 * running member must read as set are checked by HazelcastSettingsTest.
 */
public final class HazelcastSettings {

  /** vertx-service-discovery's map of records: key = registration id, value = the record's JSON text. */
  public static final String RECORDS_MAP = "service.registry";

  /** The member attribute vertx-hazelcast reads a member's Vert.x node id from. */
  public static final String VERTX_NODE_ID = "__vertx.nodeId";
  /** The structures vertx-hazelcast keeps the event bus's consumers and nodes in. */
  static final String VERTX_SUBSCRIPTIONS = "__vertx.subs";
  static final String VERTX_NODE_INFO = "__vertx.nodeInfo";
  static final String VERTX_HA_INFO = "__vertx.haInfo";

  /**
   * Heartbeat every second, a member suspected after 3 s without one (Hazelcast: 5 s and 60 s).
   * A live member must get a heartbeat out within 3 s on a busy node, or it is expelled and merges
   * back (FrozenMemberIT).
   */
  public static final int HEARTBEAT_INTERVAL = 1;
  public static final int MAX_NO_HEARTBEAT = 3;
  /**
   * Seconds between split-brain checks (Hazelcast: 300, then 120): the two sides of a split merge on
   * the first check after they can reach each other again.
   */
  public static final int MERGE_DELAY = 2;
  /**
   * An operation on a member that does not answer fails after this (Hazelcast: 60 s): callers go on
   * with the records they hold rather than wait on a frozen member.
   */
  public static final int OPERATION_TIMEOUT_MS = 1_500;
  /** Records are a few hundred bytes each: 31 partitions (Hazelcast: 271) move less at each membership change. */
  public static final int PARTITIONS = 31;
  /**
   * Seconds a connection attempt to a member may take (Hazelcast's advanced network config: no
   * limit). Hazelcast makes no second attempt to an address while one is under way, so an attempt
   * made during a partition would hold back every message to that address after the heal.
   */
  public static final int SOCKET_CONNECT_TIMEOUT = 2;
  /**
   * Seconds the next oldest member's mastership claim is retried (Hazelcast: 120). A member accepts
   * the claim only once its own heartbeat deadline for the old master has run out, up to a heartbeat
   * interval after the claimant's; too few retries and the claimant drops every member that has not
   * suspected the master yet, and stays alone (FrozenMemberIT). The claim stops waiting on a member
   * that does not answer once that member is suspected itself (MastershipClaimWatch).
   */
  public static final int MASTERSHIP_CLAIM_TIMEOUT = 20;
  /**
   * Seconds a partition migration may take before the master plans it again (Hazelcast: 300). A
   * migration whose message to an unreachable member was lost leaves its partition refusing writes
   * until it times out (PartialDisconnectionTest); migrating a few records takes milliseconds.
   */
  public static final int MIGRATION_TIMEOUT = 15;
  /**
   * Seconds a joiner's start waits to be connected to every member (Hazelcast: 120, checked once a
   * second). None: the start goes on at once and each connection comes up when first used, so a
   * member that cannot be reached does not hold a join (HazelcastSettingsTest).
   */
  public static final int CONNECT_ALL_WAIT = 0;
  /** Milliseconds before Hazelcast retries an operation that met a migrating partition (Hazelcast: 500). */
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
    // protocol in an encoder that keeps an output thread busy on a connection to a frozen member,
    // whose kernel still accepts, until the peer answers: under a CPU limit that starves the
    // member's own heartbeats (FrozenPeerTest)
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
    // before it claims mastership itself, and tasks that start together must find each other's
    // master rather than each claim their own. Shorter forms a fresh stack sooner but makes joins
    // towards addresses that do not answer yet fail and retry (docs/DESIGN.md, joining)
    join.getTcpIpConfig().setEnabled(false);
    join.getDiscoveryConfig().addDiscoveryStrategyConfig(
      new DiscoveryStrategyConfig(discovery));
    config.setProperty("hazelcast.discovery.enabled", "true");

    // a write must not wait on a backup held by a frozen member; every data member still keeps a
    // copy (up to 3 in all), so records survive the loss of any two members
    config.addMapConfig(new MapConfig(RECORDS_MAP).setBackupCount(0).setAsyncBackupCount(2));
    // the same for what vertx-hazelcast keeps (its own config has one synchronous backup): a consumer
    // registered while a member is frozen must not wait on its backup
    config.addMultiMapConfig(new MultiMapConfig(VERTX_SUBSCRIPTIONS).setBackupCount(0).setAsyncBackupCount(2)
      .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    config.addMapConfig(new MapConfig(VERTX_NODE_INFO).setBackupCount(0).setAsyncBackupCount(2));
    config.addMapConfig(new MapConfig(VERTX_HA_INFO).setBackupCount(0).setAsyncBackupCount(2));

    config.setProperty("hazelcast.partition.count", String.valueOf(PARTITIONS));
    // nothing reads Hazelcast's metrics here; collecting them costs a busy 2-core node CPU
    config.getMetricsConfig().setEnabled(false);

    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.socket.bind.any", "false");
    // SIGTERM first unpublishes and drains: ServiceLauncher shuts Hazelcast down after that
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    // the master takes a join request at once unless it took another less than a second ago, so
    // joiners that come together are still taken together, in one batch, and a lone joiner is not
    // held (Hazelcast batches for up to 20 s). With no wait at all, a storm of joiners migrates
    // partitions once per joiner. ProbingJoiner's first look for peers waits on neither
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    config.setProperty("hazelcast.max.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.invocation.retry.pause.millis", String.valueOf(RETRY_PAUSE_MS));
    config.setProperty("hazelcast.partition.migration.timeout", String.valueOf(MIGRATION_TIMEOUT));
    config.setProperty("hazelcast.connect.all.wait.seconds", String.valueOf(CONNECT_ALL_WAIT));
    config.setProperty("hazelcast.heartbeat.failuredetector.type", "deadline");
    config.setProperty("hazelcast.heartbeat.interval.seconds", String.valueOf(HEARTBEAT_INTERVAL));
    config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(MAX_NO_HEARTBEAT));
    config.setProperty("hazelcast.merge.first.run.delay.seconds", String.valueOf(MERGE_DELAY));
    config.setProperty("hazelcast.merge.next.run.delay.seconds", String.valueOf(MERGE_DELAY));
    config.setProperty("hazelcast.operation.call.timeout.millis", String.valueOf(OPERATION_TIMEOUT_MS));
    config.setProperty("hazelcast.mastership.claim.timeout.seconds", String.valueOf(MASTERSHIP_CLAIM_TIMEOUT));
    config.setProperty("hazelcast.graceful.shutdown.max.wait", "15");
    // socket writes stay on Hazelcast's IO threads: a caller's thread never does network I/O
    config.setProperty("hazelcast.io.write.through", "false");
    return config;
  }
}
