package disco.poule;

import static disco.registry.TestCluster.await;

import disco.registry.ClusterNode;
import disco.registry.OwnRecord;
import disco.registry.ServiceIdentity;
import disco.registry.TestCluster;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.atomic.AtomicInteger;

/** A slip stand-in on its own cluster node: answers after a delay, and counts how many requests it holds at once. */
final class FakeSlip {

  final String hostname;
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger maxInFlight = new AtomicInteger();
  final AtomicInteger served = new AtomicInteger();
  private final HttpServer server;

  FakeSlip(TestCluster cluster, String hostname, int delayMs) {
    this.hostname = hostname;
    ClusterNode node = cluster.join();
    server = await(node.vertx().createHttpServer().requestHandler(request -> {
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      node.vertx().setTimer(delayMs, id -> {
        inFlight.decrementAndGet();
        served.incrementAndGet();
        request.response().end(hostname);
      });
    }).listen(0, "127.0.0.1"));
    await(new OwnRecord(node, new ServiceIdentity("slip", hostname, "fake", System.currentTimeMillis()), "127.0.0.1")
      .publish(server.actualPort()));
  }

  /** Stops answering but leaves its record and its cluster node: a dead process whose record nobody removed yet. */
  void stopServing() {
    await(server.close());
  }
}
