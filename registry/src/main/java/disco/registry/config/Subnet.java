package disco.registry.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A network given as CIDR ({@code 10.118.0.0/24}): where this node's cluster address is, and, when it
 * is small enough, the addresses a member may look at for peers that no name lists yet.
 */
public record Subnet(InetAddress network, int prefix) {

  /**
   * The largest network worth looking through, host by host: a /22 (1022 hosts). A swarm overlay is
   * a /24 unless its stack says otherwise; larger ones are only used to pick this node's address.
   */
  public static final int SMALLEST_SCANNED_PREFIX = 22;

  /** {@code setting}: the variable named in the error when {@code cidr} is not a network. */
  public static Subnet parse(String setting, String cidr, String expected) {
    String[] parts = cidr.split("/", 2);
    try {
      if (parts.length != 2 || parts[0].isEmpty() || !parts[1].matches("[0-9]{1,3}")) {
        throw new ConfigException(setting, cidr, expected);
      }
      InetAddress network = InetAddress.getByName(parts[0]);
      int prefix = Integer.parseInt(parts[1]);
      if (prefix > network.getAddress().length * 8) {
        throw new ConfigException(setting, cidr, expected);
      }
      return new Subnet(network, prefix);
    } catch (UnknownHostException e) {
      throw new ConfigException(setting, cidr, expected);
    }
  }

  public boolean contains(InetAddress address) {
    byte[] bytes = address.getAddress();
    byte[] network = this.network.getAddress();
    if (bytes.length != network.length) {
      return false;
    }
    for (int bit = 0; bit < prefix; bit++) {
      int mask = 0x80 >> (bit % 8);
      if ((bytes[bit / 8] & mask) != (network[bit / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Every host address of an IPv4 network from a /22 to a /30 (not the network's own address nor its
   * broadcast); none for a larger network, or an IPv6 one, which no one can look through host by host.
   */
  public List<InetAddress> hosts() {
    byte[] network = this.network.getAddress();
    if (network.length != 4 || prefix < SMALLEST_SCANNED_PREFIX || prefix > 30) {
      return List.of();
    }
    int base = ((network[0] & 0xff) << 24 | (network[1] & 0xff) << 16 | (network[2] & 0xff) << 8 | (network[3] & 0xff))
      & (-1 << (32 - prefix));
    int size = 1 << (32 - prefix);
    List<InetAddress> hosts = new ArrayList<>(size - 2);
    for (int offset = 1; offset < size - 1; offset++) {
      int address = base + offset;
      try {
        hosts.add(InetAddress.getByAddress(new byte[] {
          (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address}));
      } catch (UnknownHostException e) {
        throw new IllegalStateException("4 bytes are always an IPv4 address", e);
      }
    }
    return hosts;
  }

  @Override
  public String toString() {
    return network.getHostAddress() + "/" + prefix;
  }
}
