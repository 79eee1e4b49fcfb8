package disco.poule;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpResponseExpectation;
import io.vertx.ext.web.client.WebClient;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps exactly {@code concurrency} calls to slip in flight: each completion starts the next at once.
 * A failed attempt is retried on another instance, up to {@link #MAX_ATTEMPTS} attempts; only a call
 * whose every attempt failed counts as an error. With no instance, slots wait for one, and so does a
 * call whose retry finds none (up to {@link #NO_SLIP_WAIT_MS}). Event-loop confined.
 */
final class CallLoop {

  private static final Logger LOG = LoggerFactory.getLogger(CallLoop.class);
  static final int MAX_ATTEMPTS = 3;
  /** Pause before calling an instance that already failed this call: the only one left. */
  static final long SAME_INSTANCE_BACKOFF_MS = 100;
  /**
   * How long a call under way waits for an instance when none is left: the pool can empty for a
   * moment while the slips are all alive (a merge after a split replaces every record at once).
   */
  static final long NO_SLIP_WAIT_MS = 10_000;
  static final long NO_SLIP_POLL_MS = 50;

  private final Vertx vertx;
  private final WebClient client;
  private final SlipPool pool;
  private final CallStats stats;
  private final int concurrency;
  private final int timeoutMs;
  private int inFlight;
  private boolean stopped;

  CallLoop(Vertx vertx, WebClient client, SlipPool pool, CallStats stats, PouleConfig config) {
    this.vertx = vertx;
    this.client = client;
    this.pool = pool;
    this.stats = stats;
    this.concurrency = config.concurrency();
    this.timeoutMs = config.timeoutMs();
  }

  int inFlight() {
    return inFlight;
  }

  /** Starts calls until {@code concurrency} are in flight, or no instance is known. */
  void fill() {
    while (!stopped && inFlight < concurrency && !pool.isEmpty()) {
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

  /** The instances one call tried, and the host it tried last. */
  private static final class Attempts {
    final Set<String> tried = new HashSet<>();
    String lastHost = PouleMetrics.NO_HOST;
  }

  private Future<Void> call() {
    long start = System.nanoTime();
    Attempts attempts = new Attempts();
    return attempt(attempts, 1, System.currentTimeMillis() + NO_SLIP_WAIT_MS)
      .onSuccess(slot -> stats.answered(slot.instance, System.nanoTime() - start, System.currentTimeMillis()))
      .onFailure(err -> {
        stats.failed(attempts.lastHost);
        LOG.debug("Call failed after {} attempts: {}", MAX_ATTEMPTS, err.toString());
      })
      .<Void>mapEmpty()
      .recover(err -> Future.succeededFuture());
  }

  private Future<SlipPool.Slot> attempt(Attempts attempts, int attempt, long waitUntil) {
    long now = System.currentTimeMillis();
    SlipPool.Slot slot = pool.pick(attempts.tried, now).orElse(null);
    if (slot == null) {
      if (now >= waitUntil || stopped) {
        return Future.failedFuture("no slip available for " + NO_SLIP_WAIT_MS + " ms");
      }
      // not an attempt: nothing was called
      return vertx.timer(NO_SLIP_POLL_MS).compose(v -> attempt(attempts, attempt, waitUntil));
    }
    boolean again = !attempts.tried.add(slot.instance.registration());
    attempts.lastHost = slot.instance.hostname();
    Future<?> ready = again ? vertx.timer(SAME_INSTANCE_BACKOFF_MS) : Future.succeededFuture();
    return ready.compose(v -> send(slot)).recover(err -> {
      if (attempt >= MAX_ATTEMPTS || stopped) {
        return Future.failedFuture(err);
      }
      stats.retried(slot.instance.hostname());
      return attempt(attempts, attempt + 1, waitUntil);
    });
  }

  private Future<SlipPool.Slot> send(SlipPool.Slot slot) {
    slot.inFlight++;
    return client.get(slot.instance.port(), slot.instance.host(), "/")
      .timeout(timeoutMs)
      .send()
      .expecting(HttpResponseExpectation.SC_OK)
      .andThen(done -> {
        slot.inFlight--;
        if (done.succeeded()) {
          pool.succeeded(slot);
        } else {
          pool.failed(slot, System.currentTimeMillis(), done.cause());
        }
      })
      .map(slot);
  }
}
