package disco.registry.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.cluster.Address;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Whom a member's first join asks. */
class ProbingJoinerTest {

  private static Address at(int last) {
    try {
      return new Address("10.0.0." + last, 5701);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private final List<List<Address>> probed = new ArrayList<>();

  private Set<Address> answeringExcept5And6(List<Address> addresses) {
    probed.add(addresses);
    Set<Address> answering = new HashSet<>(addresses);
    answering.remove(at(5));
    answering.remove(at(6));
    return answering;
  }

  @Test
  void a_member_with_no_peer_that_answers_asks_nobody_and_forms_its_cluster() {
    // loopback's port range, or a name left in DNS by a task that is gone: nothing to wait for
    assertThat(ProbingJoiner.firstTargets(List.of(), List.of(at(5), at(6)), this::answeringExcept5And6)).isEmpty();
    assertThat(ProbingJoiner.firstTargets(List.of(), List.of(), this::answeringExcept5And6)).isEmpty();
  }

  @Test
  void a_member_that_discovery_names_no_peer_for_forms_its_cluster_without_waiting() {
    // in a container of its own its name resolves to itself only: a peer that comes later finds it listening
    assertThat(ProbingJoiner.lookMs(false, false)).isZero();
  }

  @Test
  void a_member_waits_a_little_for_named_peers_and_longer_on_a_fresh_stack() {
    // a peer named before it listens; tasks of a fresh stack that find each other only through the overlay
    assertThat(ProbingJoiner.lookMs(false, true)).isEqualTo(ProbingJoiner.LOOK_MS).isPositive();
    assertThat(ProbingJoiner.lookMs(true, false)).isEqualTo(ProbingJoiner.FRESH_STACK_LOOK_MS)
      .isGreaterThan(ProbingJoiner.LOOK_MS);
    assertThat(ProbingJoiner.lookMs(true, true)).isEqualTo(ProbingJoiner.FRESH_STACK_LOOK_MS);
  }

  @Test
  void a_member_asks_every_discovered_peer_that_answers_and_only_those() {
    assertThat(ProbingJoiner.firstTargets(List.of(), List.of(at(1), at(5), at(2)), this::answeringExcept5And6))
      .containsExactly(at(1), at(2));
    // all of them in one probe: a missing host costs its timeout once, not once per host
    assertThat(probed).containsExactly(List.of(at(1), at(5), at(2)));
  }

  @Test
  void a_member_joining_anew_asks_only_the_other_side_when_it_answers() {
    // the small side's other member (2) rejoins at the same moment: asked too, they found each other
    // first and formed the small side again
    assertThat(ProbingJoiner.firstTargets(List.of(at(3), at(5)), List.of(at(1), at(2), at(3)),
      this::answeringExcept5And6)).containsExactly(at(3));
  }

  @Test
  void a_member_joining_anew_asks_anyone_that_answers_when_the_other_side_does_not() {
    assertThat(ProbingJoiner.firstTargets(List.of(at(5), at(6)), List.of(at(1), at(6)), this::answeringExcept5And6))
      .containsExactly(at(1));
  }
}
