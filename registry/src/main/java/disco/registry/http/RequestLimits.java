package disco.registry.http;

import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every HTTP server of the platform accepts from a client, and for how long. A request line
 * or headers over their limit get 414 or 431 ({@link #refuseInvalid}); a request with a body gets
 * 413 and its connection closed, since no service reads a body; a connection that sent no request head
 * in full {@link #REQUEST_HEAD_TIMEOUT_MS} after it opened is cut off (slowloris), and one idle after
 * an answer within twice that, which bounds how long an idle keep-alive connection is held.
 * Confined to the context of the server it guards.
 */
public final class RequestLimits {

  private static final Logger LOG = LoggerFactory.getLogger(RequestLimits.class);
  public static final int MAX_REQUEST_LINE = 4_096;
  public static final int MAX_HEADER_SIZE = 8_192;
  public static final long REQUEST_HEAD_TIMEOUT_MS = 10_000;
  /** No byte either way for this long: the peer is gone (an event stream writes every second). */
  public static final int IDLE_TIMEOUT_S = 60;

  private final Vertx vertx;
  private final long headTimeoutMs;
  private final Map<HttpConnection, Deadline> connections = new HashMap<>();

  public RequestLimits(Vertx vertx) {
    this(vertx, REQUEST_HEAD_TIMEOUT_MS);
  }

  /** With another request head timeout: for tests that cannot wait {@link #REQUEST_HEAD_TIMEOUT_MS}. */
  RequestLimits(Vertx vertx, long headTimeoutMs) {
    this.vertx = vertx;
    this.headTimeoutMs = headTimeoutMs;
  }

  public static HttpServerOptions serverOptions() {
    return new HttpServerOptions()
      // h2c detection holds a connection back until its first request head is in: nothing could time it
      .setHttp2ClearTextEnabled(false)
      .setMaxInitialLineLength(MAX_REQUEST_LINE)
      .setMaxHeaderSize(MAX_HEADER_SIZE)
      .setIdleTimeout(IDLE_TIMEOUT_S)
      .setIdleTimeoutUnit(TimeUnit.SECONDS);
  }

  /** For the server's connection handler: the head of the first request is due from now. */
  public void connected(HttpConnection connection) {
    Deadline deadline = new Deadline(connection);
    connections.put(connection, deadline);
    connection.closeHandler(v -> {
      deadline.cancel();
      connections.remove(connection);
    });
    deadline.start();
  }

  /**
   * For the server's invalid request handler: every request the decoder could not read gets its
   * status (414, 431 or 400) and the connection closed. Vert.x's default closes some of them without
   * a word, which leaves a client unable to tell a refusal from a crash.
   */
  public static void refuseInvalid(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    String message = cause == null || cause.getMessage() == null ? "" : cause.getMessage();
    int status = 400;
    if (cause instanceof TooLongFrameException) {
      status = message.startsWith("An HTTP line is larger than") ? 414 : 431;
    }
    request.response().setStatusCode(status).putHeader(HttpHeaders.CONNECTION, "close").end()
      .onComplete(done -> request.connection().close());
  }

  /** Ahead of every route of {@code router}: refuses bodies, and stops each deadline while its request is served. */
  public void guard(Router router) {
    router.route().order(Integer.MIN_VALUE).handler(this::arrived);
  }

  private void arrived(RoutingContext ctx) {
    if (refusedBody(ctx.request())) {
      return;
    }
    Deadline deadline = connections.get(ctx.request().connection());
    if (deadline != null) {
      deadline.requestArrived();
      ctx.addEndHandler(done -> deadline.answered());
    }
    ctx.next();
  }

  /** For a request served without a router: the same limits as {@link #guard}, then {@code handler}. */
  public void admit(HttpServerRequest request, Handler<HttpServerRequest> handler) {
    if (refusedBody(request)) {
      return;
    }
    Deadline deadline = connections.get(request.connection());
    if (deadline != null) {
      deadline.requestArrived();
      // a connection closed before the answer takes its deadline with it (connected's close handler)
      request.response().endHandler(done -> deadline.answered());
    }
    handler.handle(request);
  }

  /** Answers 413 and closes the connection when {@code request} has a body: no service reads one. */
  private static boolean refusedBody(HttpServerRequest request) {
    if (!hasBody(request)) {
      return false;
    }
    // the body may still be arriving: answer, then close rather than read it to reach the next request
    HttpConnection connection = request.connection();
    request.response().setStatusCode(413).putHeader(HttpHeaders.CONNECTION, "close")
      .end("request bodies are not accepted here\n")
      .onComplete(done -> connection.close());
    return true;
  }

  private static boolean hasBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return request.headers().contains(HttpHeaders.TRANSFER_ENCODING) || length != null && !length.strip().equals("0");
  }

  /**
   * One connection's clock: runs while no request of it is being served. Its one timer is neither
   * moved nor the time read per request (at thousands of requests a second, cancelling and setting a
   * timer each time cost the server a tenth of its throughput): a request marks the connection
   * active, and the timer closes it only when it finds no mark, so an idle keep-alive connection is
   * closed between one and two timeouts after its last answer, and one that never sends a request
   * after exactly one.
   */
  private final class Deadline {

    private final HttpConnection connection;
    private int inProgress;
    private boolean active;
    private long timer = -1;

    Deadline(HttpConnection connection) {
      this.connection = connection;
    }

    void start() {
      if (timer < 0) {
        active = false;
        timer = vertx.setTimer(headTimeoutMs, id -> {
          timer = -1;
          expired();
        });
      }
    }

    private void expired() {
      if (inProgress > 0) {
        // answered() starts it again once this connection is idle
        return;
      }
      if (active) {
        start();
      } else {
        LOG.debug("No request from {} within {} ms: closing", connection.remoteAddress(), headTimeoutMs);
        connection.close();
      }
    }

    void requestArrived() {
      inProgress++;
      active = true;
    }

    void answered() {
      inProgress--;
      if (inProgress == 0) {
        start();
      }
    }

    void cancel() {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }
  }
}
