package disco.registry.cluster;

import static disco.registry.cluster.ApartWait.Step.FIRST_SEEN;
import static disco.registry.cluster.ApartWait.Step.HOLDS;
import static disco.registry.cluster.ApartWait.Step.NOT_APART;
import static disco.registry.cluster.ApartWait.Step.REJOIN;
import static disco.registry.cluster.ApartWait.Step.WAITING;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** When a member that sees itself apart leaves to join anew, checked once a second. */
class ApartWaitTest {

  private static final long SECOND = 1_000;
  private static final long WAIT = LoneMemberWatchdog.REJOIN_AFTER_MS;

  private static InetSocketAddress at(int last) {
    return new InetSocketAddress("10.0.0." + last, 5701);
  }

  private static final LoneMemberWatchdog.Apart LARGER_CLUSTER_BESIDE =
    new LoneMemberWatchdog.Apart(List.of(at(1), at(2)), true);
  private static final LoneMemberWatchdog.Apart LOST_MEMBERS_ANSWER =
    new LoneMemberWatchdog.Apart(List.of(at(3)), false);

  private final ApartWait wait = new ApartWait();
  private final SteadyMembers steady = new SteadyMembers();

  private ApartWait.Step check(LoneMemberWatchdog.Apart apart, Set<InetSocketAddress> members, long nowMs) {
    return wait.next(apart, steady.sameForMs(Set.copyOf(members), nowMs), nowMs);
  }

  /** The steps of one check a second, from second 0 to the given second, with the same members. */
  private List<ApartWait.Step> checks(LoneMemberWatchdog.Apart apart, Set<InetSocketAddress> members, int seconds) {
    List<ApartWait.Step> steps = new ArrayList<>();
    for (int s = 0; s <= seconds; s++) {
      steps.add(check(apart, members, s * SECOND));
    }
    return steps;
  }

  @Test
  void a_member_left_alone_beside_a_larger_cluster_joins_anew_after_the_wait() {
    List<ApartWait.Step> steps = checks(LARGER_CLUSTER_BESIDE, Set.of(at(9)), (int) (WAIT / SECOND));
    assertThat(steps.get(0)).isEqualTo(FIRST_SEEN);
    assertThat(steps.get(1)).isEqualTo(HOLDS);
    assertThat(steps.subList(2, steps.size() - 1)).containsOnly(WAITING);
    assertThat(steps.get(steps.size() - 1)).isEqualTo(REJOIN);
  }

  @Test
  void ports_seen_once_outside_that_join_by_the_next_check_are_never_said_to_hold() {
    // a fresh stack: two slips in a cluster see poule, the watcher and a third slip listening a
    // moment before those join them
    assertThat(check(LARGER_CLUSTER_BESIDE, Set.of(at(9), at(8)), 0)).isEqualTo(FIRST_SEEN);
    assertThat(check(LoneMemberWatchdog.Apart.NONE, Set.of(at(9), at(8), at(1), at(2)), SECOND)).isEqualTo(NOT_APART);
    // a later sighting that holds is said once, at its second check
    List<ApartWait.Step> later = new ArrayList<>();
    for (int s = 10; s <= 13; s++) {
      later.add(check(LOST_MEMBERS_ANSWER, Set.of(at(9)), s * SECOND));
    }
    assertThat(later).containsExactly(FIRST_SEEN, HOLDS, WAITING, WAITING);
  }

  @Test
  void a_cluster_that_keeps_taking_in_members_never_leaves_although_more_ports_answer_outside() {
    // 20 slips starting at once: the master's cluster grows a member every few seconds while the
    // ports of those still starting answer outside it
    Set<InetSocketAddress> members = new HashSet<>(Set.of(at(100)));
    List<ApartWait.Step> steps = new ArrayList<>();
    for (int s = 0; s <= 60; s++) {
      if (s % 5 == 0) {
        members.add(at(s + 10));
      }
      steps.add(check(LARGER_CLUSTER_BESIDE, members, s * SECOND));
    }
    assertThat(steps).doesNotContain(REJOIN);
    // once the joins stop (the last at second 60), the wait runs out as for a member left alone
    List<ApartWait.Step> after = new ArrayList<>();
    for (int s = 61; s <= 60 + WAIT / SECOND; s++) {
      after.add(check(LARGER_CLUSTER_BESIDE, members, s * SECOND));
    }
    assertThat(after).endsWith(REJOIN).containsOnlyOnce(REJOIN);
  }

  @Test
  void members_lost_in_a_split_that_answer_again_are_not_waited_on_longer_when_the_members_change() {
    Set<InetSocketAddress> members = new HashSet<>(Set.of(at(100), at(101), at(102)));
    List<ApartWait.Step> steps = new ArrayList<>();
    for (int s = 0; s <= WAIT / SECOND; s++) {
      // a woken member still removing, one by one, those it suspects
      members.remove(at(100 + s));
      steps.add(check(LOST_MEMBERS_ANSWER, members, s * SECOND));
    }
    assertThat(steps).endsWith(REJOIN);
  }

  @Test
  void each_rejoin_that_did_not_help_doubles_the_wait_and_the_end_of_the_split_resets_it() {
    checks(LARGER_CLUSTER_BESIDE, Set.of(at(9)), (int) (WAIT / SECOND));
    assertThat(wait.waitMs()).isEqualTo(2 * WAIT);
    assertThat(check(LoneMemberWatchdog.Apart.NONE, Set.of(at(9), at(1)), 100 * SECOND)).isEqualTo(NOT_APART);
    assertThat(wait.waitMs()).isEqualTo(WAIT);
  }
}
