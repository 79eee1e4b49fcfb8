package disco.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Which lost members' addresses discovery leaves alone for a while, and when it stops. */
class MembershipHistoryTest {

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final MembershipHistory history = new MembershipHistory(now::get);

  private static InetSocketAddress ip(int last) throws Exception {
    return new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 118, 0, (byte) last}), 5701);
  }

  @Test
  void member_lost_by_the_majority_is_quarantined_for_thirty_seconds() throws Exception {
    history.left(ip(5), 4);

    assertThat(history.quarantined(ip(5))).isTrue();
    assertThat(history.quarantined(ip(6))).isFalse();
    now.addAndGet(MembershipHistory.QUARANTINE_MS);
    assertThat(history.quarantined(ip(5))).isFalse();
  }

  @Test
  void a_side_that_lost_as_many_as_it_kept_quarantines_nothing() throws Exception {
    history.left(ip(5), 4);
    history.left(ip(6), 3);
    assertThat(history.quarantined(ip(5))).isTrue();
    assertThat(history.quarantined(ip(6))).isTrue();

    // a member that woke alone after a freeze sees everyone else leave: it must look for them all
    history.left(ip(7), 2);

    assertThat(history.quarantined(ip(5))).isFalse();
    assertThat(history.quarantined(ip(6))).isFalse();
    assertThat(history.quarantined(ip(7))).isFalse();
  }

  @Test
  void departures_count_as_recent_for_two_minutes_unless_the_member_joins_again() throws Exception {
    history.left(ip(5), 4);
    history.left(ip(6), 3);
    history.joined(ip(6));
    assertThat(history.recentlyLost()).containsExactly(ip(5));

    now.addAndGet(MembershipHistory.RECENT_MS);
    assertThat(history.recentlyLost()).isEmpty();
  }

  @Test
  void member_that_joins_again_is_no_longer_quarantined() throws Exception {
    history.left(ip(5), 4);

    history.joined(ip(5));

    assertThat(history.quarantined(ip(5))).isFalse();
  }
}
