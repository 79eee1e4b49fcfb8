package disco.registry.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import disco.registry.records.ServiceInstance;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.endpoint.InteractionMetrics;
import io.vertx.core.net.endpoint.ServerEndpoint;
import io.vertx.core.net.endpoint.ServerInteraction;
import io.vertx.core.net.endpoint.ServerSelector;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** How the balancer picks among a service's instances, as Vert.x's HTTP client asks it to. */
class ServiceLoadBalancerTest {

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final List<String> ejected = new ArrayList<>();
  private final ServiceLoadBalancer balancer = new ServiceLoadBalancer(now::get)
    .onEjection((instance, failure) -> ejected.add(instance.hostname()));

  /** An instance as Vert.x hands it to the balancer: its metrics are the balancer's own. */
  private final class Server implements ServerEndpoint {
    private final ServiceInstance instance;
    private final InteractionMetrics<?> metrics = balancer.newMetrics();

    Server(String host) {
      instance = new ServiceInstance("reg-" + host, "slip", "127.0.0.1", 1000 + Math.abs(host.hashCode() % 1000),
        "node-" + host, host, "1", 0, "", null);
    }

    @Override
    public String key() {
      return instance.registration();
    }

    @Override
    public SocketAddress address() {
      return SocketAddress.inetSocketAddress(instance.port(), instance.host());
    }

    @Override
    public ServerInteraction newInteraction() {
      @SuppressWarnings("unchecked")
      InteractionMetrics<Object> calls = (InteractionMetrics<Object>) metrics;
      Object call = calls.initiateRequest();
      return new ServerInteraction() {
        @Override
        public void reportRequestBegin() {
        }

        @Override
        public void reportRequestEnd() {
        }

        @Override
        public void reportResponseBegin() {
        }

        @Override
        public void reportResponseEnd() {
          calls.reportResponseEnd(call);
        }

        @Override
        public void reportFailure(Throwable failure) {
          calls.reportFailure(call, failure);
        }
      };
    }

    @Override
    public InteractionMetrics<?> metrics() {
      return metrics;
    }

    @Override
    public Object unwrap() {
      return instance;
    }
  }

  private static String host(List<Server> servers, int index) {
    return servers.get(index).instance.hostname();
  }

  @Test
  void idle_instances_are_taken_in_turn() {
    List<Server> servers = List.of(new Server("a"), new Server("b"), new Server("c"));
    ServerSelector selector = balancer.selector(servers);
    Map<String, Integer> picks = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      picks.merge(host(servers, selector.select()), 1, Integer::sum);
    }
    assertThat(picks).containsOnlyKeys("a", "b", "c").allSatisfy((host, count) -> assertThat(count).isEqualTo(100));
  }

  @Test
  void the_instance_with_the_fewest_calls_in_flight_is_taken() {
    List<Server> servers = List.of(new Server("a"), new Server("b"));
    ServerSelector selector = balancer.selector(servers);
    for (int i = 0; i < 5; i++) {
      servers.get(0).newInteraction();
    }
    for (int i = 0; i < 5; i++) {
      int picked = selector.select();
      assertThat(host(servers, picked)).isEqualTo("b");
      servers.get(picked).newInteraction();
    }
  }

  @Test
  void a_call_tried_again_after_a_failure_goes_to_another_instance() {
    List<Server> servers = List.of(new Server("a"), new Server("b"));
    ServerSelector selector = balancer.selector(servers);
    servers.get(0).newInteraction().reportFailure(new ConnectException("refused"));
    for (int i = 0; i < 10; i++) {
      assertThat(host(servers, selector.select())).isEqualTo("b");
    }
    now.addAndGet(ServiceLoadBalancer.AVOID_MS);
    assertThat(List.of(host(servers, selector.select()), host(servers, selector.select()))).contains("a");
  }

  @Test
  void an_instance_failing_calls_in_a_row_is_skipped_for_a_while_unless_it_is_the_last_one() {
    List<Server> servers = List.of(new Server("a"), new Server("b"));
    ServerSelector selector = balancer.selector(servers);
    for (int i = 0; i < ServiceLoadBalancer.EJECT_AFTER; i++) {
      servers.get(0).newInteraction().reportFailure(new ConnectException("refused"));
    }
    assertThat(ejected).containsExactly("a");
    now.addAndGet(ServiceLoadBalancer.EJECT_MS - 1);
    for (int i = 0; i < 10; i++) {
      assertThat(host(servers, selector.select())).isEqualTo("b");
    }
    // b failing too: the least bad is still better than none
    servers.get(1).newInteraction().reportFailure(new ConnectException("refused"));
    assertThat(selector.select()).isBetween(0, 1);
    now.addAndGet(ServiceLoadBalancer.AVOID_MS);
    // a answers again after its time out: back in turn, and a success ends its row
    ServerInteraction answered = servers.get(0).newInteraction();
    answered.reportResponseEnd();
    assertThat(balancer.standings().get("reg-a").ejected()).isFalse();
  }

  @Test
  void an_instance_keeps_its_standing_when_the_endpoint_is_built_anew() {
    Server a = new Server("a");
    balancer.selector(List.of(a, new Server("b")));
    for (int i = 0; i < ServiceLoadBalancer.EJECT_AFTER; i++) {
      a.newInteraction().reportFailure(new ConnectException("refused"));
    }
    // a third instance joins: Vert.x builds new server endpoints, metrics and a selector
    List<Server> rebuilt = List.of(new Server("a"), new Server("b"), new Server("c"));
    ServerSelector selector = balancer.selector(rebuilt);
    for (int i = 0; i < 10; i++) {
      assertThat(host(rebuilt, selector.select())).isNotEqualTo("a");
    }
  }

  @Test
  void no_instance_selects_nothing() {
    assertThat(balancer.selector(List.of()).select()).isEqualTo(-1);
  }
}
