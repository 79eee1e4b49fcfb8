package disco.registry.cluster;

import com.hazelcast.cluster.Address;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.DefaultNodeContext;
import com.hazelcast.instance.impl.HazelcastInstanceFactory;
import com.hazelcast.instance.impl.Node;
import com.hazelcast.internal.cluster.Joiner;
import com.hazelcast.internal.cluster.impl.DiscoveryJoiner;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Hazelcast's discovery joiner, with a first look for peers that asks who answers rather than waits.
 * <p>
 * Hazelcast's own first look waits {@code hazelcast.wait.seconds.before.join} (whole seconds, at
 * least 1, or discovery is never asked) for discovery to name a peer; and on loopback, where the
 * port range is named whether anyone listens or not, it asks the refusing ports, then waits a second
 * before it gives up on them. Either way a member with no peer pays a second of its start. Here the
 * first look keeps only the addresses that accept a connection, so a member with no peer forms its
 * cluster at once (ProbingJoinerTest).
 * <p>
 * That is enough for members that start together: Hazelcast opens a member's port before its first
 * look, so of two members, the one that looks later finds the other listening. While discovery
 * names peers and none of them answers, the look is repeated all the same for {@link #LOOK_MS}, for a
 * peer named before it listens; when it names no one but this member, nobody is waited for. On a
 * fresh stack the look goes on for {@link #FRESH_STACK_LOOK_MS}: tasks on several nodes start
 * together and find each other only through the overlay, and there it waits as long as Hazelcast
 * would, so that they form one cluster rather than several that merge later
 * (FreshStackFormationTest; the multi-node e2e's deploy case).
 * <p>
 * A member that joins anew to leave the small side of a split looks {@code towards} the members it
 * saw answer outside its cluster, and asks only those when any answers: asking everyone, the members
 * of the small side that rejoin at the same moment may find each other first and form the small
 * side again (ProbingJoinerTest).
 */
final class ProbingJoiner extends DiscoveryJoiner {

  /** How long the first look goes on while discovery names peers and none answers. */
  static final long LOOK_MS = 300;
  /** The same on a fresh stack: Hazelcast's own wait. */
  static final long FRESH_STACK_LOOK_MS = 1_000;
  /** A peer that is there accepts within milliseconds, a refusing port at once. */
  static final long ANSWER_TIMEOUT_MS = 500;
  private static final long LOOK_PAUSE_MS = 50;

  private final DnsMemberDiscovery discovery;
  private final List<Address> towards;

  private ProbingJoiner(Node node, DnsMemberDiscovery discovery, List<Address> towards) {
    super(node, node.getDiscoveryService(), false);
    this.discovery = discovery;
    this.towards = towards;
  }

  /**
   * A new Hazelcast member made from {@code config}, whose discovery is {@code discovery}, its first
   * join looking towards those of
   * {@code towards} that answer, or anywhere when none does. Blocks for the join. Hazelcast has no
   * public hook for its joiner: a node context is how its own tests put another in (internal API,
   * like the stop of a stuck merge in ClusterMember; checked against 5.3.8).
   */
  static HazelcastInstance newMember(Config config, DnsMemberDiscovery discovery, List<InetSocketAddress> towards) {
    // a clustered Vert.x on this member (vertx-hazelcast) is known to the others by this attribute;
    // a new one for each member, since the event bus on the member it replaces is closed with it
    config.getMemberAttributeConfig().setAttribute(HazelcastSettings.VERTX_NODE_ID, UUID.randomUUID().toString());
    List<Address> targets = towards.stream().map(address -> new Address(address.getAddress(), address.getPort())).toList();
    return HazelcastInstanceFactory.newHazelcastInstance(config, null, new DefaultNodeContext() {
      @Override
      public Joiner createJoiner(Node node) {
        return new ProbingJoiner(node, discovery, targets);
      }
    });
  }

  @Override
  protected Collection<Address> getPossibleAddressesForInitialJoin() {
    long start = System.currentTimeMillis();
    boolean freshStack = discovery.freshStack();
    while (true) {
      // what discovery names, without this member's own addresses, whether it answers or not
      Collection<Address> discovered = super.getPossibleAddresses();
      // a copy: Hazelcast removes from it the addresses it finds to be this member's own
      List<Address> found = new ArrayList<>(firstTargets(towards, discovered, ProbingJoiner::answering));
      boolean anyoneNamed = !towards.isEmpty() || !discovered.isEmpty();
      if (!found.isEmpty() || System.currentTimeMillis() - start >= lookMs(freshStack, anyoneNamed)) {
        return found;
      }
      try {
        // Hazelcast's joiner thread, before this member is of any cluster: nothing else waits on it
        Thread.sleep(LOOK_PAUSE_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return found;
      }
    }
  }

  /**
   * The addresses the split-brain search asks (Hazelcast's only other use of them): those that
   * accept a connection. The search asks them one at a time and waits up to 5 s for a connection to
   * each before it asks the next, and on loopback discovery names the whole port range: a member
   * woken from a freeze would wait on the silent ports long enough for the watchdog to make it join
   * anew, where a merge takes seconds (FrozenMemberIT). Over an overlay discovery names the tasks
   * Swarm lists, which answer once up, so the search asks what it asked before, less the tasks not
   * listening yet or any more. This cluster's own members are left out before the probe, as the
   * search leaves them out after: a steady cluster's master probes none of its members.
   */
  @Override
  protected Collection<Address> getPossibleAddresses() {
    Set<Address> members = new HashSet<>(node.getClusterService().getMemberAddresses());
    List<Address> outside = super.getPossibleAddresses().stream().filter(address -> !members.contains(address)).toList();
    Set<Address> answered = answering(outside);
    // a copy Hazelcast may change: it removes the addresses it finds to be this member's own
    return outside.stream().filter(answered::contains).collect(Collectors.toCollection(ArrayList::new));
  }

  /**
   * How long the first look goes on while no peer answers. When discovery names no one but this
   * member (its own name, in a container on its own), a peer that comes later finds this member
   * listening already, so nothing is gained by waiting (ProbingJoinerTest).
   */
  static long lookMs(boolean freshStack, boolean anyoneNamed) {
    if (freshStack) {
      return FRESH_STACK_LOOK_MS;
    }
    return anyoneNamed ? LOOK_MS : 0;
  }

  /**
   * Whom the first join asks: those of {@code towards} that answer, or else every discovered address
   * that answers. {@code answering} tells which of the addresses given accept a connection.
   */
  static List<Address> firstTargets(List<Address> towards, Collection<Address> discovered,
                                    Function<List<Address>, Set<Address>> answering) {
    List<Address> all = new ArrayList<>(towards);
    discovered.stream().filter(address -> !all.contains(address)).forEach(all::add);
    Set<Address> answered = answering.apply(all);
    List<Address> targets = towards.stream().filter(answered::contains).toList();
    return targets.isEmpty() ? all.stream().filter(answered::contains).toList() : targets;
  }

  private static Set<Address> answering(List<Address> addresses) {
    List<InetSocketAddress> inet = addresses.stream().map(ClusterMember::inet).flatMap(Optional::stream).toList();
    return PortProbe.accepting(inet, ANSWER_TIMEOUT_MS).stream()
      .map(address -> new Address(address.getAddress(), address.getPort()))
      .collect(Collectors.toSet());
  }
}
