package disco.registry.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Which of many addresses accept a TCP connection, tried all at once and given up on after a bound:
 * a host that is not there never answers (on an overlay nothing answers its ARP), so trying them
 * one after another would take that bound once per missing host. Blocks the calling thread for at
 * most the bound: call it from Hazelcast's joiner or a watchdog thread, never from an event loop.
 */
final class PortProbe {

  private PortProbe() {
  }

  /** The addresses that accepted within {@code timeoutMs}, in the order given. */
  static List<InetSocketAddress> accepting(List<InetSocketAddress> addresses, long timeoutMs) {
    if (addresses.isEmpty()) {
      return List.of();
    }
    List<SocketChannel> channels = new ArrayList<>(addresses.size());
    boolean[] accepted = new boolean[addresses.size()];
    try (Selector selector = Selector.open()) {
      for (int i = 0; i < addresses.size(); i++) {
        SocketChannel channel = SocketChannel.open();
        channels.add(channel);
        channel.configureBlocking(false);
        try {
          if (channel.connect(addresses.get(i))) {
            accepted[i] = true;
          } else {
            channel.register(selector, SelectionKey.OP_CONNECT, i);
          }
        } catch (IOException refusedAtOnce) {
          // unreachable or refused: not a peer
        }
      }
      long deadline = System.nanoTime() + timeoutMs * 1_000_000;
      long left;
      while (!selector.keys().isEmpty() && (left = (deadline - System.nanoTime()) / 1_000_000) > 0) {
        selector.select(left);
        for (SelectionKey key : selector.selectedKeys()) {
          key.cancel();
          try {
            accepted[(Integer) key.attachment()] = ((SocketChannel) key.channel()).finishConnect();
          } catch (IOException refused) {
            // a host that is there with nothing on the port: not a peer
          }
        }
        selector.selectedKeys().clear();
        selector.selectNow();
      }
    } catch (IOException e) {
      // no selector or no socket left: report the ones that accepted so far
    } finally {
      channels.forEach(PortProbe::close);
    }
    List<InetSocketAddress> accepting = new ArrayList<>();
    for (int i = 0; i < addresses.size(); i++) {
      if (accepted[i]) {
        accepting.add(addresses.get(i));
      }
    }
    return accepting;
  }

  private static void close(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing a probe: nothing to do about it
    }
  }
}
