package disco.poule;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real headless Chromium showing one page, read through the DevTools protocol: unlike --dump-dom,
 * this sees what the page's scripts render after it loaded (a live event stream never lets it "finish").
 */
final class HeadlessChromium implements AutoCloseable {

  static final String BINARY = "/usr/bin/chromium";

  private final Process process;
  private final WebSocket devtools;
  private final AtomicInteger ids = new AtomicInteger();
  private volatile CompletableFuture<JsonObject> reply;

  private HeadlessChromium(Process process, WebSocket devtools) {
    this.process = process;
    this.devtools = devtools;
  }

  static HeadlessChromium open(String url) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("chromium-profile");
    List<String> command = List.of(BINARY, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
      "--no-first-run", "--window-size=1400,900", "--hide-scrollbars", "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--user-data-dir=" + profile, "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", url);
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    Path portFile = profile.resolve("DevToolsActivePort");
    String port = disco.registry.TestCluster.until(Duration.ofSeconds(30), "Chromium's DevTools port",
      () -> Files.exists(portFile) ? firstLine(portFile) : null);
    HttpClient http = HttpClient.newHttpClient();
    String socketUrl = disco.registry.TestCluster.until(Duration.ofSeconds(10), "the page target", () -> {
      try {
        String list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
        return new JsonArray(list).stream().map(JsonObject.class::cast)
          .filter(target -> "page".equals(target.getString("type")))
          .map(target -> target.getString("webSocketDebuggerUrl")).findFirst().orElse(null);
      } catch (IOException e) {
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    });
    HeadlessChromium[] self = new HeadlessChromium[1];
    WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(socketUrl), new WebSocket.Listener() {
      private final StringBuilder text = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
          JsonObject message = new JsonObject(text.toString());
          text.setLength(0);
          if (message.containsKey("id") && self[0] != null && self[0].reply != null) {
            self[0].reply.complete(message);
          }
        }
        webSocket.request(1);
        return null;
      }
    }).join();
    self[0] = new HeadlessChromium(process, socket);
    return self[0];
  }

  /** The page's current HTML, as its scripts left it; empty while the page is still being navigated to. */
  String html() {
    return evaluate("document.documentElement.outerHTML");
  }

  /**
   * The value of a JavaScript expression in the page, as a string ("" when it yields nothing, as
   * during a navigation, when there is no context to run it in yet).
   */
  String evaluate(String expression) {
    JsonObject params = new JsonObject().put("expression", "String(" + expression + " ?? '')").put("returnByValue", true);
    return call("Runtime.evaluate", params).getJsonObject("result").getString("value", "");
  }

  /** Loads the page again: a browser coming back. */
  void reload() {
    call("Page.reload", new JsonObject());
  }

  /** A PNG of the page as it is now, for a person to look at. */
  void screenshot(Path file) throws IOException {
    String png = call("Page.captureScreenshot", new JsonObject().put("format", "png")).getString("data");
    Files.write(file, java.util.Base64.getDecoder().decode(png));
  }

  private JsonObject call(String method, JsonObject params) {
    reply = new CompletableFuture<>();
    JsonObject call = new JsonObject().put("id", ids.incrementAndGet()).put("method", method).put("params", params);
    devtools.sendText(call.encode(), true).join();
    try {
      return reply.get(10, TimeUnit.SECONDS).getJsonObject("result");
    } catch (Exception e) {
      throw new AssertionError("no answer from Chromium to " + method, e);
    }
  }

  private static String firstLine(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return lines.isEmpty() ? null : lines.get(0);
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public void close() {
    devtools.abort();
    process.destroyForcibly();
  }
}
