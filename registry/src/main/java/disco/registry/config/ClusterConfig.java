package disco.registry.config;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.security.Security;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How this node joins the cluster, read once from the environment. Member names are resolved again
 * each time Hazelcast looks for members (DnsMemberDiscovery): every A record, because
 * Hazelcast would keep one address per name, and the ones that appear later, because a swarm lists
 * a task under {@code tasks.<service>} only once it is healthy.
 * {@code network}: CLUSTER_HOST when it names a network; while no member name resolves (a fresh
 * stack, whose tasks are not healthy yet), a member looks through it for others already listening.
 */
public record ClusterConfig(String name, List<MemberEntry> members, String host, Optional<Subnet> network, int port,
                            boolean lite) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final String IN_SUBNET =
    "an address of this machine, or a network such as 10.0.9.0/24 that one of its addresses is in";

  static {
    // members come and go under the same names: the JVM's 30 s DNS cache would hide them
    Security.setProperty("networkaddress.cache.ttl", "5");
    Security.setProperty("networkaddress.cache.negative.ttl", "1");
  }

  /** One CLUSTER_MEMBERS entry: a host name or address, and a port (0 when the entry named none). */
  public record MemberEntry(String host, int port) {

    /** Every address the name has now; none when it does not resolve (yet). */
    public List<InetAddress> addresses() {
      try {
        return List.of(InetAddress.getAllByName(host));
      } catch (UnknownHostException e) {
        return List.of();
      }
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
    List<MemberEntry> members = parseMembers(env.string("CLUSTER_MEMBERS", "127.0.0.1"));
    boolean optional = env.bool("CLUSTER_MEMBERS_OPTIONAL", false);
    List<InetAddress> resolved = new ArrayList<>();
    for (MemberEntry member : members) {
      List<InetAddress> addresses = member.addresses();
      if (addresses.isEmpty() && !optional) {
        throw new ConfigException("CLUSTER_MEMBERS: cannot resolve '" + member.host()
          + "' (is this container on the services' user-defined or overlay network?)");
      }
      resolved.addAll(addresses);
    }
    String hostValue = env.string("CLUSTER_HOST", null);
    Optional<Subnet> network = hostValue != null && hostValue.contains("/")
      ? Optional.of(Subnet.parse("CLUSTER_HOST", hostValue, IN_SUBNET)) : Optional.empty();
    String host = network.map(subnet -> addressIn(subnet, hostValue))
      .orElseGet(() -> hostValue == null ? detectHost(resolved) : localAddress(hostValue));
    return new ClusterConfig(name, members, host, network, port, env.bool("CLUSTER_LITE", false));
  }

  /** A single-machine cluster on loopback, for tests and the local run. */
  public static ClusterConfig loopback(String name) {
    return new ClusterConfig(name, List.of(new MemberEntry("127.0.0.1", 0)), "127.0.0.1", Optional.empty(), 5701, false);
  }

  public ClusterConfig asLiteMember() {
    return new ClusterConfig(name, members, host, network, port, true);
  }

  public static List<MemberEntry> parseMembers(String list) {
    String expected = "comma-separated host or host:port entries";
    List<MemberEntry> members = new ArrayList<>();
    for (String entry : list.split(",", -1)) {
      String item = entry.trim();
      if (item.isEmpty() || item.contains(" ")) {
        throw new ConfigException("CLUSTER_MEMBERS", list, expected);
      }
      String host = item;
      int port = 0;
      int colon = item.lastIndexOf(':');
      boolean bareIpv6 = item.indexOf(':') != colon && !item.startsWith("[");
      if (colon > 0 && !bareIpv6 && !item.endsWith("]")) {
        host = item.substring(0, colon);
        port = parsePort(item.substring(colon + 1), list, expected);
      }
      members.add(new MemberEntry(host.replace("[", "").replace("]", ""), port));
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
  private static String detectHost(List<InetAddress> members) {
    if (members.isEmpty()) {
      throw new ConfigException("CLUSTER_HOST is unset and no CLUSTER_MEMBERS name resolves yet: set CLUSTER_HOST to "
        + "this node's address or to its network (CIDR, such as 10.0.9.0/24)");
    }
    InetAddress target = members.get(0);
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

  /** CLUSTER_HOST as a network (CIDR): this node's address in it, for when no member resolves yet. */
  private static String addressIn(Subnet network, String cidr) {
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (network.contains(address)) {
            return address.getHostAddress();
          }
        }
      }
    } catch (SocketException e) {
      throw new ConfigException("CLUSTER_HOST", cidr, IN_SUBNET);
    }
    throw new ConfigException("CLUSTER_HOST", cidr, IN_SUBNET);
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
