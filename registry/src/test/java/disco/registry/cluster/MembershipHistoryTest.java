package disco.registry.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Which lost members' addresses discovery leaves alone for a while, and when a side may be the minority. */
class MembershipHistoryTest {

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final MembershipHistory history = new MembershipHistory(now::get);

  private static InetSocketAddress ip(int last) throws Exception {
    return new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 118, 0, (byte) last}), 5701);
  }

  @Test
  void member_lost_alone_is_quarantined_for_thirty_seconds_where_a_tie_is_possible() throws Exception {
    // poule and the watcher (a lite member) kept: the lost slip's side may hold as many data members
    history.left(ip(5), 2, 1);

    assertThat(history.quarantined(ip(5))).isTrue();
    assertThat(history.quarantined(ip(6))).isFalse();
    assertThat(history.lostAsMinority()).isEmpty();
    now.addAndGet(MembershipHistory.QUARANTINE_MS);
    assertThat(history.quarantined(ip(5))).isFalse();
  }

  @Test
  void member_lost_alone_is_left_alone_for_two_minutes_while_this_side_keeps_two_data_members() throws Exception {
    // a slip frozen 60 s: it merges into this side by itself once it wakes
    history.left(ip(5), 4, 3);

    now.addAndGet(MembershipHistory.QUARANTINE_MS + 30_000);
    assertThat(history.quarantined(ip(5))).isTrue();
    now.addAndGet(MembershipHistory.LOST_ALONE_MS - MembershipHistory.QUARANTINE_MS - 30_000);
    assertThat(history.quarantined(ip(5))).isFalse();
  }

  @Test
  void a_later_loss_that_leaves_one_data_member_shortens_the_wait_to_thirty_seconds() throws Exception {
    history.left(ip(5), 3, 2);
    now.addAndGet(MembershipHistory.BURST_MS + 10_000);

    // a scale-down: this side is no longer sure to be the one merged into
    history.left(ip(6), 2, 1);

    now.addAndGet(MembershipHistory.QUARANTINE_MS - 1);
    assertThat(history.quarantined(ip(5))).isTrue();
    now.addAndGet(1);
    assertThat(history.quarantined(ip(5))).isFalse();
    assertThat(history.quarantined(ip(6))).isFalse();
  }

  @Test
  void members_lost_apart_that_may_be_together_on_the_other_side_are_waited_for_thirty_seconds_only() throws Exception {
    // four slips; two lost 6 s apart, each alone by the clock: on the other side they may hold two
    // data members, as many as this side kept, and this side may be the one to merge
    history.left(ip(5), 3, 3);
    now.addAndGet(MembershipHistory.BURST_MS + 1_000);

    history.left(ip(6), 2, 2);

    assertThat(history.quarantined(ip(6))).isTrue();
    now.addAndGet(MembershipHistory.QUARANTINE_MS);
    assertThat(history.quarantined(ip(5))).isFalse();
    assertThat(history.quarantined(ip(6))).isFalse();
  }

  @Test
  void departures_older_than_two_minutes_no_longer_shorten_the_wait() throws Exception {
    // a rolling update of three slips, then a freeze well after it
    for (int i = 0; i < 3; i++) {
      history.left(ip(10 + i), 3, 3);
      now.addAndGet(MembershipHistory.BURST_MS + 1_000);
    }
    now.addAndGet(MembershipHistory.RECENT_MS);

    history.left(ip(5), 3, 3);

    now.addAndGet(MembershipHistory.QUARANTINE_MS + 30_000);
    assertThat(history.quarantined(ip(5))).isTrue();
  }

  @Test
  void a_side_that_lost_more_at_once_than_it_kept_quarantines_nothing_and_looks_for_them() throws Exception {
    history.left(ip(5), 4, 4);
    history.left(ip(6), 3, 3);
    assertThat(history.lostAsMinority()).isEmpty();

    // a member that woke alone after a freeze sees everyone else leave: it must look for them all
    history.left(ip(7), 2, 2);

    assertThat(history.quarantined(ip(5))).isFalse();
    assertThat(history.quarantined(ip(6))).isFalse();
    assertThat(history.lostAsMinority()).containsExactlyInAnyOrder(ip(5), ip(6), ip(7));
    history.joined(ip(6));
    assertThat(history.lostAsMinority()).isEmpty();
  }

  @Test
  void members_lost_together_are_not_quarantined_by_the_side_that_kept_more() throws Exception {
    // a node cut off with two slips: this side kept three members, but the cut-off side may be the
    // one this side has to merge into once Swarm has started replacements beside it
    history.left(ip(5), 4, 4);
    assertThat(history.quarantined(ip(5))).isTrue();

    history.left(ip(6), 3, 3);

    assertThat(history.quarantined(ip(5))).isFalse();
    assertThat(history.quarantined(ip(6))).isFalse();
    assertThat(history.lostAsMinority()).isEmpty();
    // a member lost alone later is a freeze again, and quarantined
    now.addAndGet(MembershipHistory.BURST_MS);
    history.left(ip(7), 3, 3);
    assertThat(history.quarantined(ip(7))).isTrue();
  }

  @Test
  void members_that_leave_one_by_one_never_make_a_minority() throws Exception {
    // a rolling update: each slip replaced well after the one before
    for (int i = 0; i < 6; i++) {
      history.left(ip(10 + i), 4, 4);
      now.addAndGet(MembershipHistory.BURST_MS);
    }

    assertThat(history.lostAsMinority()).isEmpty();
    assertThat(history.quarantined(ip(15))).isTrue();
  }

  @Test
  void member_that_joins_again_is_no_longer_quarantined() throws Exception {
    history.left(ip(5), 4, 4);

    history.joined(ip(5));

    assertThat(history.quarantined(ip(5))).isFalse();
  }
}
