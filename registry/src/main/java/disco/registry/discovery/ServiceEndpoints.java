package disco.registry.discovery;

import disco.registry.ClusterNode;
import disco.registry.records.ServiceInstance;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.Address;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.endpoint.EndpointBuilder;
import io.vertx.core.spi.endpoint.EndpointResolver;
import java.util.Comparator;
import java.util.List;

/**
 * The live instances of each service an HTTP client calls, kept current: a service's state is
 * built again from the node's copy whenever the records or the members change, and its endpoint
 * (what the load balancer picks from) is replaced only when its instances did. A departed member's
 * instances go the moment the member list says so, before any sweep. The member list is the one
 * truth: an event is only a cue to look again. A service is first resolved once the node's copy
 * holds the cluster's records (its first whole read).
 */
final class ServiceEndpoints<E> implements EndpointResolver<ServiceAddress, ServiceInstance, ServiceEndpoints.State<E>, E> {

  private final Future<ClusterNode> node;

  ServiceEndpoints(Future<ClusterNode> node) {
    this.node = node;
  }

  /** One service's instances now, and what stops following them. */
  static final class State<E> {
    private final String name;
    private final EndpointBuilder<E, ServiceInstance> builder;
    private volatile List<ServiceInstance> instances = List.of();
    private volatile E endpoint;
    private volatile boolean disposed;
    private Runnable stop = () -> { };

    private State(String name, EndpointBuilder<E, ServiceInstance> builder) {
      this.name = name;
      this.builder = builder;
      this.endpoint = builder.build();
    }

    /** Builds the endpoint anew when the instances changed; the registration orders them, stably. */
    private void update(ClusterNode node) {
      List<ServiceInstance> now = node.liveInstances(name).stream()
        .sorted(Comparator.comparing(ServiceInstance::registration))
        .toList();
      if (now.equals(instances)) {
        return;
      }
      EndpointBuilder<E, ServiceInstance> next = builder;
      for (ServiceInstance instance : now) {
        next = next.addServer(instance, instance.registration());
      }
      endpoint = next.build();
      instances = now;
    }
  }

  @Override
  public ServiceAddress tryCast(Address address) {
    return address instanceof ServiceAddress service ? service : null;
  }

  @Override
  public SocketAddress addressOf(ServiceInstance server) {
    return SocketAddress.inetSocketAddress(server.port(), server.host());
  }

  @Override
  public JsonObject propertiesOf(ServiceInstance server) {
    return server.toJson();
  }

  @Override
  public Future<State<E>> resolve(ServiceAddress address, EndpointBuilder<E, ServiceInstance> builder) {
    // a node that just joined answers once its copy holds the cluster's records: the first call of a
    // client started with the node finds the instances published before it, not "no instance"
    return node.compose(joined -> joined.liveRecordsOnceRead().map(known -> {
      State<E> state = new State<>(address.name(), builder);
      Runnable onRecords = joined.onRecordsChanged(v -> state.update(joined));
      Runnable onMembers = joined.onMemberChange(change -> state.update(joined));
      Runnable onMerged = joined.onMerged(v -> state.update(joined));
      state.stop = () -> {
        onRecords.run();
        onMembers.run();
        onMerged.run();
      };
      state.update(joined);
      return state;
    }));
  }

  @Override
  public E endpoint(State<E> state) {
    return state.endpoint;
  }

  @Override
  public boolean isValid(State<E> state) {
    return !state.disposed;
  }

  @Override
  public void dispose(State<E> state) {
    state.disposed = true;
    state.stop.run();
  }

  @Override
  public void close() {
  }
}
