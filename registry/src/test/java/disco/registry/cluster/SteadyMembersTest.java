package disco.registry.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How long the members have stayed the same, which the watchdog's rules wait on. */
class SteadyMembersTest {

  private static InetSocketAddress at(int last) {
    return new InetSocketAddress("10.0.0." + last, 5701);
  }

  @Test
  void counts_from_the_last_change_of_the_members() {
    SteadyMembers steady = new SteadyMembers();
    assertThat(steady.sameForMs(Set.of(at(1)), 1_000)).isZero();
    assertThat(steady.sameForMs(Set.of(at(1)), 4_000)).isEqualTo(3_000);
    // a member joined: the count starts again
    assertThat(steady.sameForMs(Set.of(at(1), at(2)), 5_000)).isZero();
    assertThat(steady.sameForMs(Set.of(at(2), at(1)), 9_000)).isEqualTo(4_000);
    // one left
    assertThat(steady.sameForMs(Set.of(at(2)), 10_000)).isZero();
  }
}
