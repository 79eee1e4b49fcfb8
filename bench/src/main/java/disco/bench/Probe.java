package disco.bench;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;

/** Blocking HTTP look-ups on 127.0.0.1 and deadline-bounded polling, for the drivers' own threads. */
final class Probe {

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

  private Probe() {
  }

  /** The status of GET http://127.0.0.1:port/path, or -1 when nothing answered. */
  static int status(int port, String path) {
    try {
      return HTTP.send(get(port, path), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return -1;
    }
  }

  /** The JSON body of a 200 answer, or null. */
  static JsonObject json(int port, String path) {
    try {
      HttpResponse<String> r = HTTP.send(get(port, path), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? new JsonObject(r.body()) : null;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return null;
    }
  }

  /** Polls every pollMs until found returns non-null or the deadline passes (then null). */
  static <T> T poll(Duration timeout, long pollMs, Supplier<T> found) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      T value = found.get();
      if (value != null) {
        return value;
      }
      try {
        Thread.sleep(pollMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    return null;
  }

  /** Epoch ms at which GET port/path first answered 200, or -1 past the deadline. */
  static long awaitOk(int port, String path, Duration timeout) {
    Long at = poll(timeout, 10, () -> status(port, path) == 200 ? System.currentTimeMillis() : null);
    return at == null ? -1 : at;
  }

  private static HttpRequest get(int port, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5)).GET().build();
  }
}
