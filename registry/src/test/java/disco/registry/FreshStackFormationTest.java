package disco.registry;

import static org.assertj.core.api.Assertions.assertThat;

import disco.registry.config.ClusterConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The tasks of a fresh swarm stack: their names (tasks.slip, ...) resolve only once they are healthy,
 * and they are healthy only once they have joined. Here the members' names never resolve, and each
 * member listens on a port of its own where a task would have an address of its own on the overlay:
 * the "network" their discovery looks through is those ports.
 */
class FreshStackFormationTest {

  private static final int PORT = 5831;
  private static final int MEMBERS = 4;

  @Test
  void members_started_at_once_before_any_name_resolves_form_one_cluster_without_a_merge() {
    try (TestCluster cluster = new TestCluster()) {
      List<InetSocketAddress> network = IntStream.range(0, MEMBERS)
        .mapToObj(i -> new InetSocketAddress("127.0.0.1", PORT + i)).toList();
      List<CompletableFuture<ClusterNode>> starts = new ArrayList<>();
      for (int i = 0; i < MEMBERS; i++) {
        ClusterConfig config = new ClusterConfig(cluster.name(), ClusterConfig.parseMembers("no-such-task.invalid"),
          "127.0.0.1", Optional.empty(), PORT + i, false);
        InetSocketAddress own = network.get(i);
        List<InetSocketAddress> others = network.stream().filter(peer -> !peer.equals(own)).toList();
        starts.add(CompletableFuture.supplyAsync(() -> cluster.join(config, others)));
      }
      List<ClusterNode> nodes = starts.stream().map(CompletableFuture::join).toList();
      // a member that merges into another cluster comes back under a new id
      List<String> idsAtJoin = nodes.stream().map(ClusterNode::nodeId).toList();
      AtomicInteger merges = new AtomicInteger();
      nodes.forEach(node -> node.onMerged(merged -> merges.incrementAndGet()));

      TestCluster.within(Duration.ofSeconds(30), "every member sees " + MEMBERS,
        () -> nodes.stream().allMatch(node -> node.member().members().size() == MEMBERS));
      assertThat(nodes).extracting(ClusterNode::nodeId).containsExactlyElementsOf(idsAtJoin);
      assertThat(merges).hasValue(0);
    }
  }
}
