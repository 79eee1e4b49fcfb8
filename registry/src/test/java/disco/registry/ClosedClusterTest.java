package disco.registry;

import static disco.registry.TestCluster.await;
import static disco.registry.TestCluster.instances;
import static disco.registry.TestCluster.within;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import disco.registry.config.ClusterConfig;
import disco.registry.security.ClusterSecret;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import disco.registry.cluster.HazelcastSettings;
import io.vertx.servicediscovery.Status;
import disco.registry.records.ServiceIdentity;
import disco.registry.records.ServiceInstance;

/** Only holders of the cluster secret join, and only records they signed are listed. Nodes share one JVM here. */
@Timeout(90)
class ClosedClusterTest {

  private final TestCluster cluster = new TestCluster();
  private HazelcastInstance intruder;

  @AfterEach
  void close() {
    if (intruder != null) {
      intruder.shutdown();
    }
    cluster.close();
  }

  /** Same CLUSTER_NAME, same ports, another secret: another cluster, through every merge check. */
  @Test
  void a_node_with_the_right_name_but_another_secret_stays_alone() throws InterruptedException {
    ClusterNode a = cluster.join();
    ClusterNode stranger = cluster.join(ClusterConfig.loopback(cluster.name()), ClusterSecret.of("not-the-cluster-secret-at-all"));
    ClusterNode b = cluster.join();
    within(Duration.ofSeconds(15), "b joined a", () -> a.liveMemberIds().size() == 2);

    // three split-brain checks (HazelcastSettings.MERGE_DELAY) and more: time enough to merge, were it allowed.
    // The stranger may leave and join anew meanwhile (LoneMemberWatchdog sees a cluster beside it), so
    // its own id can change: what must hold is that neither side ever lists the other.
    long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
    while (System.nanoTime() < end) {
      assertThat(stranger.liveMemberIds()).doesNotContain(a.nodeId(), b.nodeId()).hasSizeLessThanOrEqualTo(1);
      assertThat(a.liveMemberIds()).containsExactlyInAnyOrder(a.nodeId(), b.nodeId());
      Thread.sleep(200);
    }
  }

  /**
   * A raw Hazelcast member that learned the cluster's name joins and writes well-formed records: unsigned, a
   * signed one replayed with another address, a signed one copied under another key, and garbage.
   * None is ever listed; each is reported as rejected; the replayed slip's own record comes back.
   */
  @Test
  void records_written_without_the_secret_are_rejected_and_never_listed() {
    ClusterNode a = cluster.join();
    String own = TestCluster.publish(a, "slip-a", 1001).getRegistration();
    within(Duration.ofSeconds(5), "own record listed", () -> instances(a).size() == 1);

    IMap<String, String> map = rawMember(a).getMap(HazelcastSettings.RECORDS_MAP);
    String signed = map.get(own);
    Record unsigned = ServiceInstance.record(new ServiceIdentity("slip", "evil", "x", 1L), "10.66.0.1", 8080)
      .setRegistration("forged-unsigned").setStatus(Status.UP);
    unsigned.getMetadata().put("nodeId", a.nodeId());
    map.put("forged-unsigned", unsigned.toJson().encode());
    map.put("copied-under-another-key", signed);
    map.put("garbage", "{not a record");
    Record replayed = new Record(new JsonObject(signed));
    replayed.getLocation().put("host", "10.66.0.2");
    map.put(own, replayed.toJson().encode());

    within(Duration.ofSeconds(5), "the three lasting forgeries reported", () -> reasons(a).keySet()
      .containsAll(List.of("forged-unsigned", "copied-under-another-key", "garbage")));
    assertThat(reasons(a)).containsEntry("forged-unsigned", ClusterSecret.Verdict.UNSIGNED.reason())
      .containsEntry("copied-under-another-key", "stored under a key that is not its registration")
      .containsKey("garbage");
    // the replayed record set a's own apart until a writes it back: no caller is ever sent to a forgery
    assertThat(instances(a)).extracting(ServiceInstance::host).allMatch("127.0.0.1"::equals);
    // the owner finds its record changed on its next check and writes it again, signed
    within(Duration.ofSeconds(2 * 2 + 3), "own record restored",
      () -> signed.equals(map.get(own)) && !reasons(a).containsKey(own));
    assertThat(instances(a)).extracting(ServiceInstance::host).containsOnly("127.0.0.1");
    assertThat(a.records()).extracting(Record::getRegistration).containsExactly(own);
  }

  /** A member's port speaks the member protocol only: a Hazelcast client, even with the right name, gets nowhere. */
  @Test
  void a_hazelcast_client_cannot_connect_even_with_the_cluster_name() {
    ClusterNode a = cluster.join();
    ClientConfig config = new ClientConfig().setClusterName(a.member().hazelcast().getConfig().getClusterName());
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.getNetworkConfig().addAddress(hostPort(a));
    config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(3_000);
    assertThatThrownBy(() -> HazelcastClient.newHazelcastClient(config).shutdown())
      .isInstanceOf(IllegalStateException.class);
  }

  /**
   * HTTP and garbage on the Hazelcast port are refused at once (three bytes, then the connection ends). Silence and a half-sent protocol
   * header are held by Hazelcast (no handshake deadline of its own: docs/SECURITY.md), so the port
   * stays on the overlay only; while 500 such connections are held, the member goes on.
   */
  @Test
  void garbage_on_the_cluster_port_is_dropped_and_held_connections_do_not_stop_the_member() throws IOException {
    ClusterNode a = cluster.join();
    com.hazelcast.cluster.Address address = a.member().hazelcast().getCluster().getLocalMember().getAddress();
    for (byte[] payload : List.of("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
      new byte[] {0, 1, 2, 3, (byte) 0xff, 42})) {
      try (Socket socket = new Socket(address.getHost(), address.getPort())) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(payload);
        // the member names the protocol it expected ("HZX", Hazelcast's refusal) and hangs up
        byte[] answer;
        try {
          answer = socket.getInputStream().readAllBytes();
        } catch (SocketException reset) {
          answer = new byte[0];
        }
        assertThat(new String(answer, StandardCharsets.US_ASCII)).as("answer to %d bytes of garbage", payload.length)
          .isIn("", "HZX");
      }
    }
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 500; i++) {
        Socket socket = new Socket(address.getHost(), address.getPort());
        if (i % 2 == 0) {
          socket.getOutputStream().write("HZC".getBytes(StandardCharsets.US_ASCII));
        }
        held.add(socket);
      }
      ClusterNode b = cluster.join();
      TestCluster.publish(b, "b", 1002);
      within(Duration.ofSeconds(5), "a sees b's record", () -> a.records().size() == 1);
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
    }
  }

  private static Map<String, String> reasons(ClusterNode node) {
    JsonArray rejected = node.rejectedRecords();
    return rejected.stream().map(JsonObject.class::cast)
      .collect(Collectors.toMap(entry -> entry.getString("key"), entry -> entry.getString("reason")));
  }

  private HazelcastInstance rawMember(ClusterNode member) {
    intruder = TestCluster.rawMember(member.member().hazelcast().getConfig().getClusterName(), hostPort(member));
    return intruder;
  }

  private static String hostPort(ClusterNode member) {
    com.hazelcast.cluster.Address address = member.member().hazelcast().getCluster().getLocalMember().getAddress();
    return address.getHost() + ":" + address.getPort();
  }
}
