package disco.slip;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers every request sent to its own address on the event bus across the cluster with its host
 * name, after the same delay as over HTTP, waited on a timer. Deployed on the clustered Vert.x, and
 * again on each one built after a rejoin (ClusterBus.deploy).
 */
final class SlipBusVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(SlipBusVerticle.class);

  private final String address;
  private final String hostname;
  private final int delayMs;

  SlipBusVerticle(String address, String hostname, int delayMs) {
    this.address = address;
    this.hostname = hostname;
    this.delayMs = delayMs;
  }

  @Override
  public Future<?> start() {
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(address, this::answer);
    // completes once the cluster's map holds the registration. A write that timed out (a member
    // frozen) is not lost: vertx-hazelcast writes this node's registrations again when that member
    // is removed; meanwhile callers find no consumer here and try another slip
    return consumer.completion().recover(err -> {
      LOG.warn("Consumer at {} not in the cluster's map yet ({}): written again at the next membership change",
        address, err.toString());
      return Future.succeededFuture();
    });
  }

  private void answer(Message<Object> request) {
    if (delayMs == 0) {
      request.reply(hostname);
    } else {
      vertx.setTimer(delayMs, id -> request.reply(hostname));
    }
  }
}
