package disco.registry.http;

import io.netty.handler.codec.TooLongFrameException;
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
 * 413 and its connection closed, since no service reads a body; a request whose head has not arrived in full
 * {@link #REQUEST_HEAD_TIMEOUT_MS} after the connection opened or its previous answer went out is
 * cut off (slowloris), which also bounds how long an idle keep-alive connection is held.
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
  private final Map<HttpConnection, Deadline> connections = new HashMap<>();

  public RequestLimits(Vertx vertx) {
    this.vertx = vertx;
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
    HttpServerRequest request = ctx.request();
    HttpConnection connection = request.connection();
    if (hasBody(request)) {
      // the body may still be arriving: answer, then close rather than read it to reach the next request
      ctx.response().setStatusCode(413).putHeader(HttpHeaders.CONNECTION, "close")
        .end("request bodies are not accepted here\n")
        .onComplete(done -> connection.close());
      return;
    }
    Deadline deadline = connections.get(connection);
    if (deadline != null) {
      deadline.requestArrived();
      ctx.addEndHandler(done -> deadline.answered());
    }
    ctx.next();
  }

  private static boolean hasBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return request.headers().contains(HttpHeaders.TRANSFER_ENCODING) || length != null && !length.strip().equals("0");
  }

  /** One connection's clock: runs while no request of it is being served. */
  private final class Deadline {

    private final HttpConnection connection;
    private int inProgress;
    private long timer = -1;

    Deadline(HttpConnection connection) {
      this.connection = connection;
    }

    void start() {
      if (timer < 0) {
        timer = vertx.setTimer(REQUEST_HEAD_TIMEOUT_MS, id -> {
          timer = -1;
          if (inProgress == 0) {
            LOG.debug("No request from {} within {} ms: closing", connection.remoteAddress(), REQUEST_HEAD_TIMEOUT_MS);
            connection.close();
          }
        });
      }
    }

    void requestArrived() {
      inProgress++;
      cancel();
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
