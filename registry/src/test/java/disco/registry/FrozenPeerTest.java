package disco.registry;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.cluster.Address;
import com.hazelcast.instance.EndpointQualifier;
import com.hazelcast.internal.server.ServerConnectionManager;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A frozen process's kernel still accepts connections, and never a byte follows. Such a peer is
 * played here by a socket that accepts and stays silent; Hazelcast is made to connect to it the way
 * it does to a frozen member it has something to send to.
 */
class FrozenPeerTest {

  private final TestCluster cluster = new TestCluster();
  private final List<Socket> held = new CopyOnWriteArrayList<>();
  private ServerSocket frozen;

  @BeforeEach
  void frozenPeer() throws IOException {
    frozen = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(() -> {
      try {
        while (true) {
          held.add(frozen.accept());
        }
      } catch (IOException closed) {
        // the test is over
      }
    }, "frozen-peer");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @AfterEach
  void close() throws IOException {
    frozen.close();
    for (Socket socket : held) {
      socket.close();
    }
    cluster.close();
  }

  @Test
  void a_connection_to_a_frozen_peer_keeps_no_output_thread_busy() throws Exception {
    ClusterNode node = cluster.join();
    ServerConnectionManager connections = connections(node);

    connections.getOrConnect(new Address("127.0.0.1", frozen.getLocalPort()));
    TestCluster.within(Duration.ofSeconds(10), "the connection is opened", () -> held.size() == 1);
    Thread.sleep(200);
    // the connection waits for the peer's protocol bytes: with Hazelcast's plain network config one
    // output thread spun at 100% meanwhile (about 3000 ms of CPU in these 3 s)
    long before = outputThreadsCpuMs();
    Thread.sleep(3_000);
    long used = outputThreadsCpuMs() - before;
    assertTrue(used < 300, "Hazelcast's output threads used " + used + " ms of CPU in 3 s");
    assertTrue(node.isRunning(), "the member goes on");
  }

  private static ServerConnectionManager connections(ClusterNode node) {
    return TestCluster.hazelcastNode(node).getServer()
      .getConnectionManager(EndpointQualifier.MEMBER);
  }

  /** CPU time of every Hazelcast output I/O thread in this JVM. */
  private static long outputThreadsCpuMs() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long nanos = 0;
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().contains("IO.thread-out")) {
        nanos += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
      }
    }
    return nanos / 1_000_000;
  }
}
