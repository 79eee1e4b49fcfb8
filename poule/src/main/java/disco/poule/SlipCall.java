package disco.poule;

import io.vertx.core.Future;

/** One attempt at a call to the service, on an instance the load balancer picks: the host name that answered. */
interface SlipCall {
  Future<String> send();

  /** Completes when calls may begin. */
  default Future<Void> ready() {
    return Future.succeededFuture();
  }
}
