package disco.registry.discovery;

import disco.registry.records.ServiceInstance;
import io.vertx.core.net.endpoint.InteractionMetrics;
import io.vertx.core.net.endpoint.LoadBalancer;
import io.vertx.core.net.endpoint.ServerEndpoint;
import io.vertx.core.net.endpoint.ServerSelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * Least requests first, ties taken in turn, around the instances that fail. An instance whose last
 * call failed less than {@link #AVOID_MS} ago is passed over while another is healthy, so that a call
 * tried again goes elsewhere; one that failed {@link #EJECT_AFTER} calls in a row is skipped for
 * {@link #EJECT_MS}; when every instance is in either state, the least loaded is taken all the same,
 * since a lone instance that hiccuped is still the best bet. An instance's record keeps its standing
 * across changes of the others (Vert.x builds the endpoint anew at each). One per HTTP client.
 */
public final class ServiceLoadBalancer implements LoadBalancer {

  static final long AVOID_MS = 1_000;
  public static final int EJECT_AFTER = 3;
  public static final long EJECT_MS = 5_000;
  /** An instance unseen for this long is forgotten. */
  static final long FORGET_MS = 300_000;

  private final LongSupplier clock;
  private final Map<String, Standing> standings = new ConcurrentHashMap<>();
  private final AtomicInteger turn = new AtomicInteger();
  private volatile BiConsumer<ServiceInstance, Throwable> onFailure = (instance, failure) -> { };
  private volatile BiConsumer<ServiceInstance, Throwable> onEjection = (instance, failure) -> { };

  public ServiceLoadBalancer() {
    this(System::currentTimeMillis);
  }

  /** With {@code clock} (milliseconds) for the times it keeps: for tests. */
  ServiceLoadBalancer(LongSupplier clock) {
    this.clock = clock;
  }

  /** Told of every call that failed on an instance, on the thread that saw it fail. */
  public ServiceLoadBalancer onFailure(BiConsumer<ServiceInstance, Throwable> listener) {
    onFailure = listener;
    return this;
  }

  /** Told when an instance is skipped after {@link #EJECT_AFTER} failed calls in a row, with the last failure. */
  public ServiceLoadBalancer onEjection(BiConsumer<ServiceInstance, Throwable> listener) {
    onEjection = listener;
    return this;
  }

  /** How an instance has been doing, by its registration: what {@code /api/stats} and a dashboard show. */
  public Map<String, Standing> standings() {
    return Map.copyOf(standings);
  }

  @Override
  public InteractionMetrics<?> newMetrics() {
    return new Calls();
  }

  @Override
  public ServerSelector selector(List<? extends ServerEndpoint> servers) {
    long now = clock.getAsLong();
    List<Standing> bound = new ArrayList<>(servers.size());
    for (ServerEndpoint server : servers) {
      ServiceInstance instance = (ServiceInstance) server.unwrap();
      Standing standing = standings.computeIfAbsent(server.key(), key -> new Standing(instance));
      // the same registration may say more now (a new member id after a merge)
      standing.instance = instance;
      standing.seen = now;
      ((Calls) server.metrics()).standing = standing;
      bound.add(standing);
    }
    standings.values().removeIf(standing -> now - standing.seen > FORGET_MS);
    return () -> select(bound);
  }

  private int select(List<Standing> servers) {
    if (servers.isEmpty()) {
      return -1;
    }
    long now = clock.getAsLong();
    int best = pick(servers, now, true);
    return best >= 0 ? best : pick(servers, now, false);
  }

  /** The least loaded, ties in turn; {@code healthyOnly}: among those neither ejected nor just failed. */
  private int pick(List<Standing> servers, long now, boolean healthyOnly) {
    int size = servers.size();
    int start = Math.floorMod(turn.getAndIncrement(), size);
    int best = -1;
    for (int i = 0; i < size; i++) {
      int index = (start + i) % size;
      Standing standing = servers.get(index);
      if (healthyOnly && !standing.healthy(now)) {
        continue;
      }
      if (best < 0 || standing.inFlight.get() < servers.get(best).inFlight.get()) {
        best = index;
      }
    }
    return best;
  }

  /** One instance's calls: how many are in flight, and its recent failures. */
  public final class Standing {
    private volatile ServiceInstance instance;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile int failuresInARow;
    private volatile long lastFailure;
    private volatile long ejectedUntil;
    private volatile long seen;

    private Standing(ServiceInstance instance) {
      this.instance = instance;
    }

    public ServiceInstance instance() {
      return instance;
    }

    public int inFlight() {
      return inFlight.get();
    }

    public boolean ejected() {
      return ejectedUntil > clock.getAsLong();
    }

    private boolean healthy(long now) {
      return ejectedUntil <= now && now - lastFailure >= AVOID_MS;
    }
  }

  /** Vert.x's report of each call to one instance, which it binds to that instance's standing. */
  private final class Calls implements InteractionMetrics<Calls.Call> {

    private volatile Standing standing;

    /** One call; ended once, by its answer or its failure. */
    private final class Call {
      private boolean ended;
    }

    @Override
    public Call initiateRequest() {
      standing.inFlight.incrementAndGet();
      return new Call();
    }

    @Override
    public void reportFailure(Call call, Throwable failure) {
      if (end(call)) {
        long now = clock.getAsLong();
        standing.lastFailure = now;
        int inARow = ++standing.failuresInARow;
        onFailure.accept(standing.instance, failure);
        if (inARow >= EJECT_AFTER && standing.ejectedUntil <= now) {
          standing.ejectedUntil = now + EJECT_MS;
          onEjection.accept(standing.instance, failure);
        }
      }
    }

    @Override
    public void reportResponseEnd(Call call) {
      if (end(call)) {
        standing.failuresInARow = 0;
      }
    }

    private boolean end(Call call) {
      if (call == null || call.ended) {
        return false;
      }
      call.ended = true;
      standing.inFlight.decrementAndGet();
      return true;
    }
  }
}
