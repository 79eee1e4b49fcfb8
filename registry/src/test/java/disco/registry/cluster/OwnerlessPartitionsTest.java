package disco.registry.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** How long partitions have had no owner under one master, which the watchdog's master rule reads. */
class OwnerlessPartitionsTest {

  @Test
  void counts_each_partition_from_when_it_lost_its_owner() {
    OwnerlessPartitions ownerless = new OwnerlessPartitions();
    assertThat(ownerless.longestMs("m", Set.of(), 1_000)).isEqualTo(-1);
    assertThat(ownerless.longestMs("m", Set.of(3), 2_000)).isZero();
    assertThat(ownerless.longestMs("m", Set.of(3, 7), 5_000)).isEqualTo(3_000);
    // 3 got an owner: 7 counts from when it lost its own
    assertThat(ownerless.longestMs("m", Set.of(7), 6_000)).isEqualTo(1_000);
    // 3 lost it again: from now, not from the first time
    assertThat(ownerless.longestMs("m", Set.of(3), 7_000)).isZero();
    assertThat(ownerless.longestMs("m", Set.of(), 8_000)).isEqualTo(-1);
  }

  @Test
  void time_under_an_earlier_master_does_not_count() {
    OwnerlessPartitions ownerless = new OwnerlessPartitions();
    ownerless.longestMs("old", Set.of(3), 1_000);
    assertThat(ownerless.longestMs("old", Set.of(3), 20_000)).isEqualTo(19_000);
    // a new master repairs the table anew
    assertThat(ownerless.longestMs("new", Set.of(3), 21_000)).isZero();
    assertThat(ownerless.longestMs("new", Set.of(3), 25_000)).isEqualTo(4_000);
  }
}
