package disco.poule;

import static disco.registry.TestCluster.await;

import disco.registry.ClusterNode;
import disco.registry.records.ServiceInstance;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import disco.registry.records.ServiceIdentity;
import disco.registry.TestCluster;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A slip stand-in on its own cluster node: answers after a delay, and counts how many requests it holds at once. */
final class FakeSlip {

  final String hostname;
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger maxInFlight = new AtomicInteger();
  final AtomicInteger served = new AtomicInteger();
  private final Set<HttpServerRequest> held = ConcurrentHashMap.newKeySet();
  private final ClusterNode node;
  private final HttpServer server;
  private final ServiceDiscovery discovery;
  private final String registration;
  private final boolean onBus;

  FakeSlip(TestCluster cluster, String hostname, int delayMs) {
    this(cluster, hostname, delayMs, "fake", "", false);
  }

  /** A stand-in that says it runs {@code version} on the swarm node {@code swarmNode} ("" for none). */
  FakeSlip(TestCluster cluster, String hostname, int delayMs, String version, String swarmNode) {
    this(cluster, hostname, delayMs, version, swarmNode, false);
  }

  /** A stand-in that answers on the event bus too, at the address its record names, as slip does. */
  static FakeSlip onEventBus(TestCluster cluster, String hostname, int delayMs) {
    return new FakeSlip(cluster, hostname, delayMs, "fake", "", true);
  }

  private FakeSlip(TestCluster cluster, String hostname, int delayMs, String version, String swarmNode, boolean onBus) {
    this.hostname = hostname;
    this.onBus = onBus;
    node = cluster.join();
    String busAddress = "fake-slip." + hostname;
    if (onBus) {
      await(node.startBus());
      await(node.bus().deploy(() -> new VerticleBase() {
        @Override
        public Future<?> start() {
          return vertx.eventBus().consumer(busAddress, message -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            vertx.setTimer(delayMs, id -> {
              inFlight.decrementAndGet();
              served.incrementAndGet();
              message.reply(hostname);
            });
          }).completion();
        }
      }));
    }
    server = await(node.vertx().createHttpServer().requestHandler(request -> {
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      held.add(request);
      node.vertx().setTimer(delayMs, id -> {
        inFlight.decrementAndGet();
        served.incrementAndGet();
        held.remove(request);
        request.response().end(hostname);
      });
    }).listen(0, "127.0.0.1"));
    // published as any Vert.x service publishes itself
    discovery = ServiceDiscovery.create(node.vertx());
    Record record = ServiceInstance.record(new ServiceIdentity("slip", hostname, version, System.currentTimeMillis(),
      swarmNode), "127.0.0.1", server.actualPort());
    if (onBus) {
      record.getMetadata().put(ServiceInstance.EVENT_BUS_ADDRESS, busAddress);
    }
    registration = await(discovery.publish(record)).getRegistration();
  }

  /** Stops answering but leaves its record and its cluster node: a dead process whose record nobody removed yet. */
  void stopServing() {
    await(server.close());
  }

  /** Removes its record, as a slip going away does first; requests already here are still answered. */
  void unpublish() {
    await(discovery.unpublish(registration));
  }

  /**
   * Dies as a process under SIGKILL does: no unpublish, no leave; the cluster must notice by itself.
   * Its event bus goes first, as its sockets would.
   */
  void crash() {
    if (onBus) {
      await(node.bus().vertx().close());
    }
    TestCluster.crash(node);
    stopServing();
  }

  /** Cuts the connection of every request it holds: each of those calls fails on the caller's side. */
  void dropHeldRequests() {
    held.forEach(request -> request.connection().close());
  }
}
