package disco.registry.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The request head deadline, with a 1 s timeout instead of 10 s: a connection that never sends a
 * request goes after one timeout, an idle one within two of its last answer, and a request being
 * served is never cut.
 */
class RequestLimitsTest {

  private static final long TIMEOUT_MS = 1_000;
  private static final String GET = "GET /%s HTTP/1.1\r\nHost: test\r\n\r\n";

  private Vertx vertx;
  private HttpServer server;

  @BeforeEach
  void serve() throws Exception {
    vertx = Vertx.vertx();
    RequestLimits limits = new RequestLimits(vertx, TIMEOUT_MS);
    Router router = Router.router(vertx);
    limits.guard(router);
    router.get("/now").handler(ctx -> ctx.response().end("now"));
    router.get("/slow").handler(ctx -> vertx.setTimer(2 * TIMEOUT_MS, id -> ctx.response().end("slow")));
    server = vertx.createHttpServer(RequestLimits.serverOptions())
      .connectionHandler(limits::connected)
      .requestHandler(router)
      .listen(0).await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void idle_connection_is_closed_one_to_two_timeouts_after_its_last_answer_not_after_it_opened() throws Exception {
    try (Socket socket = connect()) {
      long opened = System.nanoTime();
      Thread.sleep(TIMEOUT_MS * 7 / 10);
      send(socket, "now");
      assertThat(readAnswer(socket)).endsWith("now");
      long answered = System.nanoTime();

      waitForClose(socket);

      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opened))
        .as("not closed a timeout after the opening").isGreaterThan(TIMEOUT_MS + 300);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answered))
        .as("closed one to two timeouts after the answer").isBetween(TIMEOUT_MS - 100, 2 * TIMEOUT_MS + 500);
    }
  }

  @Test
  void request_served_longer_than_the_timeout_is_answered_and_its_connection_kept() throws Exception {
    try (Socket socket = connect()) {
      send(socket, "slow");
      assertThat(readAnswer(socket)).endsWith("slow");
      // the next request, sent at once, is served on the same connection
      send(socket, "now");
      assertThat(readAnswer(socket)).endsWith("now");
    }
  }

  @Test
  void connection_that_never_sends_a_request_is_closed_after_the_timeout() throws Exception {
    try (Socket socket = connect()) {
      assertThat(waitForClose(socket)).isBetween(TIMEOUT_MS - 100, TIMEOUT_MS + 500);
    }
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", server.actualPort());
    socket.setSoTimeout((int) (5 * TIMEOUT_MS));
    return socket;
  }

  private static void send(Socket socket, String path) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(String.format(GET, path).getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** One answer with a body of 3 or 4 bytes, read as text. */
  private static String readAnswer(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    StringBuilder text = new StringBuilder();
    int length = -1;
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed before the whole answer: " + text);
      }
      text.append((char) b);
      int head = text.indexOf("\r\n\r\n");
      if (head >= 0 && length < 0) {
        String lower = text.toString().toLowerCase();
        int at = lower.indexOf("content-length:");
        length = Integer.parseInt(lower.substring(at + 15, lower.indexOf("\r\n", at)).strip());
      }
      if (head >= 0 && text.length() == head + 4 + length) {
        return text.toString();
      }
    }
  }

  /** Reads until the server closes the connection; how long that took, in ms. */
  private static long waitForClose(Socket socket) throws IOException {
    long start = System.nanoTime();
    try {
      while (socket.getInputStream().read() >= 0) {
        // nothing is expected; keep reading until the end of the stream
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("connection still open after " + socket.getSoTimeout() + " ms");
    }
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }
}
