package disco.poule;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps exactly {@code concurrency} calls to the service in flight: each completion starts the next
 * at once. A call goes to the service by name, over HTTP or the event bus ({@link SlipCall}), to the
 * instance the load balancer picks (least requests, around the instances that fail: {@code ServiceLoadBalancer}); a failed
 * attempt is tried again, which the balancer sends elsewhere while another instance is healthy, up to
 * {@link #MAX_ATTEMPTS} attempts; only a call whose every attempt failed counts as an error. With no
 * instance, calls wait for one (up to {@link #NO_SLIP_WAIT_MS}). Event-loop confined.
 */
final class CallLoop {

  private static final Logger LOG = LoggerFactory.getLogger(CallLoop.class);
  static final int MAX_ATTEMPTS = 3;
  /** Pause before trying the lone instance again: it is the one that just failed. */
  static final long SAME_INSTANCE_BACKOFF_MS = 100;
  /**
   * How long a call under way waits for an instance when none is left: the pool can empty for a
   * moment while the slips are all alive (a merge after a split replaces every record at once).
   */
  static final long NO_SLIP_WAIT_MS = 10_000;
  static final long NO_SLIP_POLL_MS = 50;

  private final Vertx vertx;
  private final SlipCall slipCall;
  private final Slips slips;
  private final CallStats stats;
  private final int concurrency;
  private int inFlight;
  private boolean stopped;
  /** The host of the last attempt that failed, as the load balancer reports it. */
  private String lastFailedHost = PouleMetrics.NO_HOST;

  CallLoop(Vertx vertx, SlipCall slipCall, Slips slips, CallStats stats, PouleConfig config) {
    this.vertx = vertx;
    this.slipCall = slipCall;
    this.slips = slips;
    this.stats = stats;
    this.concurrency = config.concurrency();
  }

  int inFlight() {
    return inFlight;
  }

  /** Starts calls until {@code concurrency} are in flight, or no instance is known. */
  void fill() {
    while (!stopped && inFlight < concurrency && !slips.isEmpty()) {
      inFlight++;
      call().onComplete(done -> {
        inFlight--;
        fill();
      });
    }
  }

  void stop() {
    stopped = true;
  }

  /** An attempt failed on {@code host}: the load balancer tells, on this loop, before the attempt's future fails. */
  void attemptFailed(String host) {
    lastFailedHost = host;
    stats.retried(host);
  }

  private Future<Void> call() {
    long start = System.nanoTime();
    return attempt(1, System.currentTimeMillis() + NO_SLIP_WAIT_MS)
      .onSuccess(host -> stats.answered(host, slips.byHostname(host), System.nanoTime() - start, System.currentTimeMillis()))
      .onFailure(err -> {
        stats.failed(lastFailedHost);
        LOG.warn("Call failed after {} attempts: {}", MAX_ATTEMPTS, err.toString());
      })
      .<Void>mapEmpty()
      .recover(err -> Future.succeededFuture());
  }

  /** The host name that answered. */
  private Future<String> attempt(int attempt, long waitUntil) {
    if (slips.isEmpty()) {
      if (System.currentTimeMillis() >= waitUntil || stopped) {
        lastFailedHost = PouleMetrics.NO_HOST;
        return Future.failedFuture("no instance available for " + NO_SLIP_WAIT_MS + " ms");
      }
      // not an attempt: nothing was called
      return vertx.timer(NO_SLIP_POLL_MS).compose(v -> attempt(attempt, waitUntil));
    }
    return slipCall.send().recover(err -> {
      if (attempt >= MAX_ATTEMPTS || stopped) {
        return Future.failedFuture(err);
      }
      Future<?> ready = slips.size() < 2 ? vertx.timer(SAME_INSTANCE_BACKOFF_MS) : Future.succeededFuture();
      return ready.compose(v -> attempt(attempt + 1, waitUntil));
    });
  }
}
