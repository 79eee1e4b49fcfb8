package disco.registry.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** When a member decides it is on the small side of a split that Hazelcast left unhealed. */
class LoneMemberWatchdogTest {

  private static InetSocketAddress at(int last) {
    return new InetSocketAddress("10.0.0." + last, 5701);
  }

  private final List<InetSocketAddress> dialed = new ArrayList<>();

  private boolean answersExcept5(InetSocketAddress address) {
    dialed.add(address);
    return !address.equals(at(5));
  }

  @Test
  void a_member_alone_beside_a_larger_cluster_it_can_reach_is_apart() {
    // a new slip of a rolling update that joined a side which then left: alone, four peers answer elsewhere
    // it joins anew towards the peers that answered
    assertThat(LoneMemberWatchdog.apart(Set.of(at(9)), List.of(), List.of(at(1), at(2), at(3), at(4), at(9)),
      this::answersExcept5)).isEqualTo(new LoneMemberWatchdog.Apart(List.of(at(1), at(2)), true));
    // it stopped dialing once it knew
    assertThat(dialed).containsExactly(at(1), at(2));
  }

  @Test
  void the_larger_side_and_a_cluster_with_all_its_peers_are_not_apart() {
    Set<InetSocketAddress> members = Set.of(at(1), at(2), at(3), at(4));
    // a frozen or cut-off member answers again: the majority waits for it to come back by itself
    assertThat(LoneMemberWatchdog.apart(members, List.of(), List.of(at(1), at(2), at(3), at(4), at(9)),
      this::answersExcept5)).isEqualTo(LoneMemberWatchdog.Apart.NONE);
    assertThat(LoneMemberWatchdog.apart(members, List.of(), List.of(at(1), at(2), at(3), at(4)),
      this::answersExcept5)).isEqualTo(LoneMemberWatchdog.Apart.NONE);
    // two against two: Hazelcast's own merge decides
    assertThat(LoneMemberWatchdog.apart(Set.of(at(1), at(2)), List.of(), List.of(at(1), at(2), at(3), at(4)),
      this::answersExcept5)).isEqualTo(LoneMemberWatchdog.Apart.NONE);
  }

  @Test
  void peers_that_do_not_answer_do_not_count() {
    // the other side is gone or cut off: nothing to join
    assertThat(LoneMemberWatchdog.apart(Set.of(at(9)), List.of(), List.of(at(5), at(5), at(9)),
      this::answersExcept5)).isEqualTo(LoneMemberWatchdog.Apart.NONE);
  }

  @Test
  void a_minority_whose_lost_members_answer_again_is_apart_and_joins_towards_them() {
    // poule and a slip kept, three slips lost in a cut: the lost ones that answer are where to join,
    // not the discovered peers, whichever of them answer
    assertThat(LoneMemberWatchdog.apart(Set.of(at(1), at(2)), List.of(at(3), at(5), at(4)),
      List.of(at(6), at(7), at(8)), this::answersExcept5))
      .isEqualTo(new LoneMemberWatchdog.Apart(List.of(at(3), at(4)), false));
    assertThat(LoneMemberWatchdog.apart(Set.of(at(1), at(2)), List.of(at(5)), List.of(), this::answersExcept5)).isEqualTo(LoneMemberWatchdog.Apart.NONE);
  }
}
