package disco.registry;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How this node joins the cluster: read once from the environment, with every member name already
 * resolved to IP literals, because Hazelcast keeps one address per host name.
 */
public record ClusterConfig(String name, List<Member> members, String host, int port, boolean lite) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** One address to try when joining; port 0 when the entry named none. */
  public record Member(InetAddress address, int port) {
    /**
     * Without a port, a loopback member is left to Hazelcast's port range (several nodes share the
     * host); any other address is one node per address, on the cluster port: one candidate, not ten.
     */
    String toHazelcast(int clusterPort) {
      String ip = address.getHostAddress();
      String literal = ip.contains(":") ? "[" + ip + "]" : ip;
      if (port != 0) {
        return literal + ":" + port;
      }
      return address.isLoopbackAddress() ? literal : literal + ":" + clusterPort;
    }
  }

  public ClusterConfig {
    members = List.copyOf(members);
  }

  public static ClusterConfig fromEnv(Env env) {
    String name = env.string("CLUSTER_NAME", "disco");
    if (!NAME.matcher(name).matches()) {
      throw new ConfigException("CLUSTER_NAME", name, "1 to 64 letters, digits, '.', '_' or '-'");
    }
    int port = env.integer("CLUSTER_PORT", 5701, 1, 65535);
    List<Member> members = resolveMembers(env.string("CLUSTER_MEMBERS", "127.0.0.1"));
    String hostValue = env.string("CLUSTER_HOST", null);
    String host = hostValue == null ? detectHost(members) : localAddress(hostValue);
    return new ClusterConfig(name, members, host, port, env.bool("CLUSTER_LITE", false));
  }

  /** A single-machine cluster on loopback, for tests and the local run. */
  public static ClusterConfig loopback(String name) {
    return new ClusterConfig(name, List.of(new Member(InetAddress.getLoopbackAddress(), 0)), "127.0.0.1", 5701, false);
  }

  public ClusterConfig asLiteMember() {
    return new ClusterConfig(name, members, host, port, true);
  }

  /** Every A record of every name: {@code tasks.slip} on a swarm lists each task of the service. */
  static List<Member> resolveMembers(String list) {
    String expected = "comma-separated host or host:port entries";
    List<Member> members = new ArrayList<>();
    for (String entry : list.split(",", -1)) {
      String item = entry.trim();
      if (item.isEmpty()) {
        throw new ConfigException("CLUSTER_MEMBERS", list, expected);
      }
      String host = item;
      int port = 0;
      int colon = item.lastIndexOf(':');
      boolean bareIpv6 = item.indexOf(':') != colon;
      if (colon > 0 && !bareIpv6) {
        host = item.substring(0, colon);
        port = parsePort(item.substring(colon + 1), list, expected);
      }
      host = host.replace("[", "").replace("]", "");
      try {
        for (InetAddress address : InetAddress.getAllByName(host)) {
          members.add(new Member(address, port));
        }
      } catch (UnknownHostException e) {
        throw new ConfigException("CLUSTER_MEMBERS: cannot resolve '" + host
          + "' (is this container on the services' user-defined or overlay network?)");
      }
    }
    return members;
  }

  private static int parsePort(String text, String list, String expected) {
    try {
      int port = Integer.parseInt(text);
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException ignored) {
      // reported below with the whole value
    }
    throw new ConfigException("CLUSTER_MEMBERS", list, expected + " with a port from 1 to 65535");
  }

  /**
   * The local address the kernel would use to reach the first member: the address on the members'
   * network, loopback only when they are on loopback. A UDP connect sends nothing; it only asks for a route.
   */
  private static String detectHost(List<Member> members) {
    InetAddress target = members.get(0).address();
    if (target.isLoopbackAddress()) {
      return target.getHostAddress();
    }
    try (DatagramSocket probe = new DatagramSocket()) {
      probe.connect(target, 5701);
      InetAddress local = probe.getLocalAddress();
      if (local == null || local.isAnyLocalAddress()) {
        throw new ConfigException("CLUSTER_HOST is unset and no local address routes to "
          + target.getHostAddress() + ": set CLUSTER_HOST to this node's address");
      }
      return local.getHostAddress();
    } catch (IOException e) {
      throw new ConfigException("CLUSTER_HOST is unset and no local address routes to "
        + target.getHostAddress() + ": set CLUSTER_HOST to this node's address");
    }
  }

  private static String localAddress(String value) {
    String expected = "an address of this machine";
    try {
      InetAddress address = InetAddress.getByName(value);
      if (!address.isLoopbackAddress() && NetworkInterface.getByInetAddress(address) == null) {
        throw new ConfigException("CLUSTER_HOST", value, expected);
      }
      return address.getHostAddress();
    } catch (UnknownHostException | SocketException e) {
      throw new ConfigException("CLUSTER_HOST", value, expected);
    }
  }
}
