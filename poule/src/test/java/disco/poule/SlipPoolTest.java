package disco.poule;

import static org.assertj.core.api.Assertions.assertThat;

import disco.registry.records.ServiceInstance;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SlipPoolTest {

  private final AtomicInteger wakeUps = new AtomicInteger();
  private final List<String> ejected = new ArrayList<>();
  private final SlipPool pool = new SlipPool(wakeUps::incrementAndGet, instance -> ejected.add(instance.hostname()));

  private static ServiceInstance instance(String name) {
    return new ServiceInstance("reg-" + name, "slip", "127.0.0.1", 1000 + name.hashCode() % 1000, "node-" + name, name, "1", 0, "");
  }

  @Test
  void idle_instances_are_taken_in_turn() {
    pool.added(instance("a"));
    pool.added(instance("b"));
    pool.added(instance("c"));
    Map<String, Integer> picks = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      picks.merge(pool.pick(Set.of(), 0).orElseThrow().instance.hostname(), 1, Integer::sum);
    }
    assertThat(picks).containsOnlyKeys("a", "b", "c").allSatisfy((host, count) -> assertThat(count).isEqualTo(100));
    assertThat(wakeUps.get()).isEqualTo(3);
  }

  @Test
  void least_in_flight_wins() {
    pool.added(instance("a"));
    pool.added(instance("b"));
    SlipPool.Slot busy = pool.pick(Set.of(), 0).orElseThrow();
    busy.inFlight = 5;
    for (int i = 0; i < 5; i++) {
      SlipPool.Slot picked = pool.pick(Set.of(), 0).orElseThrow();
      assertThat(picked).isNotSameAs(busy);
      picked.inFlight++;
    }
  }

  @Test
  void a_retry_prefers_an_instance_not_yet_tried() {
    pool.added(instance("a"));
    pool.added(instance("b"));
    for (int i = 0; i < 10; i++) {
      assertThat(pool.pick(Set.of("reg-a"), 0).orElseThrow().instance.hostname()).isEqualTo("b");
    }
    // all tried: the least loaded is still better than nothing
    assertThat(pool.pick(Set.of("reg-a", "reg-b"), 0)).isPresent();
  }

  @Test
  void an_instance_failing_in_a_row_is_ejected_for_a_while_unless_it_is_the_last_hope() {
    pool.added(instance("a"));
    pool.added(instance("b"));
    SlipPool.Slot a = pool.pick(Set.of("reg-b"), 0).orElseThrow();
    for (int i = 0; i < SlipPool.EJECT_AFTER; i++) {
      pool.failed(a, 1_000, new IllegalStateException("refused"));
    }
    assertThat(ejected).containsExactly("a");
    for (int i = 0; i < 10; i++) {
      assertThat(pool.pick(Set.of(), 1_000).orElseThrow().instance.hostname()).isEqualTo("b");
    }
    assertThat(pool.pick(Set.of("reg-b"), 1_000).orElseThrow().instance.hostname()).isEqualTo("a");
    assertThat(a.ejected(1_000 + SlipPool.EJECT_MS)).isFalse();
    pool.succeeded(a);
    assertThat(a.ejected(1_001)).isFalse();
  }

  @Test
  void removed_instance_is_never_picked_and_an_empty_pool_picks_nothing() {
    pool.added(instance("a"));
    pool.removed(instance("a"));
    assertThat(pool.isEmpty()).isTrue();
    assertThat(pool.pick(Set.of(), 0)).isEmpty();
  }
}
