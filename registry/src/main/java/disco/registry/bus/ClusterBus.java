package disco.registry.bus;

import disco.registry.cluster.ClusterMember;
import disco.registry.security.ClusterSecret;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event bus across the cluster: a clustered Vert.x beside the node's own, on the node's
 * Hazelcast member through vertx-hazelcast, its traffic between nodes TLS with mutual authentication
 * from the cluster secret ({@link disco.registry.security.EventBusTls}). vertx-hazelcast keeps the
 * member it is given for life, so when the node joins anew with a new member after a split, this
 * Vert.x is closed and built again on the new one, and each verticle given to {@link #deploy} is
 * deployed again on it: its consumers are registered anew. HTTP stays on the node's own Vert.x, so
 * a service's port never closes meanwhile.
 */
public final class ClusterBus {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterBus.class);
  /** As the node's own Vert.x: a thread held longer is reported with its stack. */
  private static final long MAX_EXECUTE_MS = 2_000;
  /** The event bus carries a service's calls, not its HTTP traffic: two event loops are plenty. */
  private static final int EVENT_LOOPS = 2;

  /** How often a bus that cannot be built yet is tried again. */
  static final long RETRY_MS = 1_000;

  private final ClusterMember member;
  private final ClusterSecret secret;
  private final Promise<Void> firstUp = Promise.promise();
  private final List<Supplier<? extends Deployable>> verticles = new CopyOnWriteArrayList<>();
  /** Builds and closes, one after another: a rejoin during the first build waits for it. */
  private Future<Void> changes = Future.succeededFuture();
  private volatile Vertx vertx;
  private volatile boolean closed;
  /** Whether the wait for the bus has been told once already, since it was last up. */
  private volatile boolean waitLogged;

  private ClusterBus(ClusterMember member, ClusterSecret secret) {
    this.member = member;
    this.secret = secret;
  }

  /**
   * Starts building the event bus on {@code member}'s Hazelcast member, and again on each new member
   * it joins with; returns at once ({@link #up} tells when it is up). A service does not wait for it:
   * on a cluster of lite members only, which holds no data, vertx-hazelcast cannot start, and the bus
   * comes up once a data member joins.
   */
  public static ClusterBus start(ClusterMember member) {
    return start(member, member.secret());
  }

  /** As {@link #start(ClusterMember)}, its TLS identity from {@code secret}: another than the member's, in a test. */
  static ClusterBus start(ClusterMember member, ClusterSecret secret) {
    ClusterBus bus = new ClusterBus(member, secret);
    member.onNewMember(bus::rebuild);
    bus.change(() -> bus.buildOn(member.hazelcast()));
    return bus;
  }

  /** Completes once the event bus is first up. */
  public Future<ClusterBus> up() {
    return firstUp.future().map(this);
  }

  /**
   * Deploys a verticle made by {@code verticle} on the clustered Vert.x now, and a new one on each
   * clustered Vert.x built after a rejoin: for consumers, which die with the Vert.x they were registered on.
   */
  public Future<Void> deploy(Supplier<? extends Deployable> verticle) {
    // in turn with the builds: either this Vert.x is up and takes it now, or the next build deploys it
    return change(() -> {
      verticles.add(verticle);
      Vertx current = vertx;
      return current == null ? Future.succeededFuture() : current.deployVerticle(verticle.get()).mapEmpty();
    });
  }

  /**
   * Sends {@code body} to {@code address} and completes with the reply, on the caller's context:
   * a request from the node's own Vert.x carries on on its own event loop. Fails at once while the
   * event bus is being built again after a rejoin.
   */
  public <T> Future<Message<T>> request(String address, Object body, DeliveryOptions options) {
    Vertx current = vertx;
    if (current == null) {
      return Future.failedFuture("the event bus is down while this node joins the cluster anew");
    }
    Context caller = Vertx.currentContext();
    // from another Vert.x's thread, the clustered Vert.x answers on an event loop of its own
    Future<Message<T>> reply = current.eventBus().request(address, body, options);
    if (caller == null) {
      return reply;
    }
    Promise<Message<T>> back = Promise.promise();
    reply.onComplete(result -> caller.runOnContext(v -> back.handle(result)));
    return back.future();
  }

  /**
   * The clustered Vert.x: its {@code sharedData()} and event bus reach every node. Null while it is
   * built again after a rejoin; a new instance after each.
   */
  public Vertx vertx() {
    return vertx;
  }

  /** Whether the event bus is up, not being built again after a rejoin. */
  public boolean isUp() {
    return vertx != null;
  }

  /** Closes the clustered Vert.x (its verticles are undeployed); the member stays. Blocks up to {@code timeout}. */
  public void close(long timeout, TimeUnit unit) {
    closed = true;
    try {
      change(() -> closeCurrent()).await(timeout, unit);
    } catch (Exception e) {
      LOG.warn("The event bus did not close: {}", e.toString());
    }
  }

  /** The node joined anew as {@code fresh}: close the event bus on the member it left, build one on the new. */
  private void rebuild(HazelcastInstance fresh) {
    if (closed) {
      return;
    }
    long joined = System.nanoTime();
    // vertx-hazelcast then logs "Failed to leave cluster": the member it would leave is gone already
    LOG.info("Closing the event bus of the member this node left, to build it on the new one");
    change(() -> closeCurrent().compose(v -> buildOn(fresh))).onComplete(built -> {
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - joined);
      if (built.succeeded()) {
        LOG.info("Event bus back {} ms after the new member joined, {} verticle(s) deployed again", ms, verticles.size());
      } else {
        LOG.error("Event bus not back {} ms after the new member joined: {}", ms, built.cause().toString());
      }
    });
  }

  private synchronized Future<Void> change(Supplier<Future<Void>> step) {
    changes = changes.transform(previous -> step.get());
    return changes;
  }

  private Future<Void> closeCurrent() {
    Vertx current;
    synchronized (this) {
      current = vertx;
      vertx = null;
    }
    if (current == null) {
      return Future.succeededFuture();
    }
    // after a rejoin its member is gone: vertx-hazelcast fails to leave it, and Vert.x closes all the same
    return current.close().recover(err -> Future.succeededFuture());
  }

  /**
   * Builds the bus on {@code target}, once the cluster has a data member (vertx-hazelcast writes its
   * node's address into a map at start), trying again every {@link #RETRY_MS} while it fails; gives
   * up when the node has moved on to a newer member, whose own rebuild takes over, or closes.
   */
  private Future<Void> buildOn(HazelcastInstance target) {
    if (closed || member.hazelcast() != target) {
      return Future.succeededFuture();
    }
    boolean dataMember = target.getCluster().getMembers().stream().anyMatch(each -> !each.isLiteMember());
    Future<Void> built = dataMember ? build(target)
      : Future.failedFuture("the cluster has no data member yet: a cluster of lite members holds no data");
    return built.recover(err -> {
      if (!waitLogged) {
        waitLogged = true;
        LOG.warn("The event bus is not up yet, trying again every {} ms: {}", RETRY_MS, err.getMessage());
      }
      return member.vertx().timer(RETRY_MS).compose(v -> buildOn(target));
    });
  }

  private Future<Void> build(HazelcastInstance target) {
    EventBusOptions bus = new EventBusOptions()
      // the address the member advertises: the overlay network's, not the first interface found
      .setHost(target.getCluster().getLocalMember().getAddress().getHost())
      .setPort(0);
    secret.eventBusTls().ifPresent(tls -> tls.applyTo(bus));
    VertxOptions options = new VertxOptions()
      .setEventLoopPoolSize(EVENT_LOOPS)
      .setEventBusOptions(bus)
      .setMaxEventLoopExecuteTime(MAX_EXECUTE_MS).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
      .setMaxWorkerExecuteTime(MAX_EXECUTE_MS).setMaxWorkerExecuteTimeUnit(TimeUnit.MILLISECONDS)
      .setWarningExceptionTime(MAX_EXECUTE_MS).setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS);
    return Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(target)).buildClustered()
      .compose(clustered -> {
        List<Future<String>> deployed = verticles.stream().map(verticle -> clustered.deployVerticle(verticle.get())).toList();
        return Future.all(deployed).map(clustered)
          .onFailure(err -> clustered.close());
      })
      .onSuccess(clustered -> {
        synchronized (this) {
          vertx = clustered;
        }
        waitLogged = false;
        firstUp.tryComplete();
      })
      .mapEmpty();
  }
}
