package disco.registry.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

class PortProbeTest {

  @Test
  void only_the_addresses_that_accept_are_reported_in_the_order_given() throws Exception {
    try (ServerSocket first = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.3"));
         ServerSocket second = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.5"))) {
      InetSocketAddress a = new InetSocketAddress("127.0.0.3", first.getLocalPort());
      InetSocketAddress b = new InetSocketAddress("127.0.0.5", second.getLocalPort());
      // the same ports on other loopback addresses: hosts that are there with nothing listening
      InetSocketAddress closedA = new InetSocketAddress("127.0.0.4", first.getLocalPort());
      InetSocketAddress closedB = new InetSocketAddress("127.0.0.6", second.getLocalPort());

      assertThat(PortProbe.accepting(List.of(closedB, b, closedA, a), 2_000)).containsExactly(b, a);
      assertThat(PortProbe.accepting(List.of(closedA, closedB), 2_000)).isEmpty();
      assertThat(PortProbe.accepting(List.of(), 2_000)).isEmpty();
    }
  }
}
