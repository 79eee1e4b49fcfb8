package disco.registry.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When a lasting fault that a new member may cure makes this one join anew. */
class RejoinBackoffTest {

  @Test
  void a_fault_calls_for_a_rejoin_once_it_lasted_the_first_wait() {
    RejoinBackoff backoff = new RejoinBackoff(10_000, 120_000);
    assertThat(backoff.due(-1)).isFalse();
    assertThat(backoff.due(0)).isFalse();
    assertThat(backoff.due(9_999)).isFalse();
    assertThat(backoff.due(10_000)).isTrue();
  }

  @Test
  void each_rejoin_that_did_not_cure_it_doubles_the_wait_up_to_the_bound_and_its_end_resets_it() {
    RejoinBackoff backoff = new RejoinBackoff(10_000, 30_000);
    assertThat(backoff.due(10_000)).isTrue();
    assertThat(backoff.due(19_999)).isFalse();
    assertThat(backoff.due(20_000)).isTrue();
    assertThat(backoff.due(29_999)).isFalse();
    assertThat(backoff.due(30_000)).isTrue();
    // bounded: not 60 s
    assertThat(backoff.due(30_000)).isTrue();
    // the fault is over: the next one waits the first wait again
    assertThat(backoff.due(-1)).isFalse();
    assertThat(backoff.due(10_000)).isTrue();
  }
}
