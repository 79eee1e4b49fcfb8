package disco.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/** Starts slip, poule and the bare server as separate JVMs bound to 127.0.0.1, each on its own ports. */
final class Services {

  /** One started service: its process and its ports. */
  record Node(String name, Process process, int httpPort, int clusterPort) {
    long pid() {
      return process.pid();
    }
  }

  private final Fleet fleet;
  private final BenchConfig config;
  private final Set<Integer> handedOut = new HashSet<>();
  /** One per run: the services refuse to start without a cluster secret. */
  private final String secret = UUID.randomUUID().toString();

  Services(Fleet fleet, BenchConfig config) {
    this.fleet = fleet;
    this.config = config;
  }

  /** A slip named hostname; seed is the cluster port of a member to join through, or 0 for itself. */
  Node slip(String hostname, String cluster, int seed, String cpus) throws IOException {
    return slip(hostname, cluster, seed, cpus, List.of());
  }

  /** As {@link #slip(String, String, int, String)}, the JVM given {@code jvmFlags}. */
  Node slip(String hostname, String cluster, int seed, String cpus, List<String> jvmFlags) throws IOException {
    int own = freePort();
    return slip(hostname, cluster, own, List.of(seed == 0 ? own : seed), cpus, jvmFlags, false);
  }

  /**
   * A slip on cluster port {@code own} that names {@code members} (cluster ports on 127.0.0.1) as the
   * members to find, as the README asks of every service: a split heals only through a member that
   * names the other side's. A lite member (no data) when {@code lite}.
   */
  Node slip(String hostname, String cluster, int own, List<Integer> members, String cpus, List<String> jvmFlags,
            boolean lite) throws IOException {
    return java("slip-" + hostname, config.slipJar().toString(), cluster, own, members, cpus,
        Map.of("HOSTNAME", hostname, "SLIP_DELAY_MS", Integer.toString(config.delayMs()),
            "CLUSTER_LITE", Boolean.toString(lite)), jvmFlags);
  }

  /** A poule forming its own cluster, which the slips join through it. */
  Node poule(String cluster, Map<String, String> extra, List<String> jvmFlags) throws IOException {
    int own = freePort();
    return poule(cluster, own, List.of(own), extra, jvmFlags);
  }

  /** A poule on cluster port {@code own} that names {@code members}, as {@link #slip(String, String, int, List, String, List, boolean)}. */
  Node poule(String cluster, int own, List<Integer> members, Map<String, String> extra, List<String> jvmFlags)
      throws IOException {
    return java("poule", config.pouleJar().toString(), cluster, own, members, null, extra, jvmFlags);
  }

  /** {@code n} cluster ports, free now, for members that must all name each other from their start. */
  List<Integer> clusterPorts(int n) throws IOException {
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ports.add(freePort());
    }
    return ports;
  }

  Node bare(String cpus) throws IOException {
    int port = freePort();
    Process p = fleet.start("bare", Map.of("HTTP_PORT", Integer.toString(port),
            "DELAY_MS", Integer.toString(config.delayMs())), cpus,
        List.of("java", "-cp", config.benchJar().toString(), "disco.bench.BareServer"));
    return new Node("bare", p, port, 0);
  }

  private Node java(String name, String jar, String cluster, int hz, List<Integer> members, String cpus,
                    Map<String, String> extra, List<String> jvmFlags) throws IOException {
    int http = freePort();
    Map<String, String> env = new HashMap<>(extra);
    env.put("HTTP_PORT", Integer.toString(http));
    env.put("CLUSTER_NAME", cluster);
    env.put("CLUSTER_SECRET", secret);
    env.put("CLUSTER_HOST", "127.0.0.1");
    env.put("CLUSTER_PORT", Integer.toString(hz));
    // explicit ports: another cluster on this machine (a test run) may hold 5701-5703
    env.put("CLUSTER_MEMBERS", members.stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(",")));
    List<String> command = new ArrayList<>(List.of("java"));
    command.addAll(jvmFlags);
    command.addAll(List.of("-jar", jar));
    Process p = fleet.start(name, env, cpus, command);
    return new Node(name, p, http, hz);
  }

  /** A port free now on 127.0.0.1, below the kernel's ephemeral range so outgoing sockets don't take it. */
  synchronized int freePort() throws IOException {
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 32_000);
      if (handedOut.contains(port)) {
        continue;
      }
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        handedOut.add(port);
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free port in 20000-32000");
  }
}
