package disco.poule;

import static disco.registry.TestCluster.within;
import static org.assertj.core.api.Assertions.assertThat;

import disco.registry.JavaProcess;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Dashboards that go away without a goodbye: event streams whose clients close or reset their
 * connection, round after round, against a real poule process. Nothing stays behind: not a stream,
 * not a descriptor, and its memory settles where it was.
 */
@Timeout(180)
class EventStreamLeakIT {

  private static final int ROUNDS = 5;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static JavaProcess poule;
  private static int port;

  @BeforeAll
  static void startPoule() {
    poule = JavaProcess.start(JavaProcess.jar("poule"), Map.of("HTTP_PORT", "0", "HOSTNAME", "poule-sse",
      "CLUSTER_NAME", "sse-" + UUID.randomUUID().toString().substring(0, 8)), JavaProcess.logFile("sse-poule"));
    port = Integer.parseInt(poule.awaitLog("ready on port (\\d+)", Duration.ofSeconds(60)));
  }

  @AfterAll
  static void stopPoule() {
    poule.close();
  }

  @Test
  void event_streams_of_vanished_clients_leave_nothing_behind() throws Exception {
    // one round first, so that what the JVM loads and compiles for streams is in the baseline
    round();
    long fdsBefore = descriptors();
    long rssBefore = rssKiB();
    for (int i = 0; i < ROUNDS; i++) {
      round();
    }
    long fdsAfter = descriptors();
    long rssAfter = rssKiB();
    System.out.printf("event streams: %d rounds of %d; descriptors %d -> %d, RSS %d -> %d MiB%n", ROUNDS,
      PouleVerticle.MAX_EVENT_STREAMS, fdsBefore, fdsAfter, rssBefore / 1024, rssAfter / 1024);
    assertThat(fdsAfter).isLessThanOrEqualTo(fdsBefore + 5);
    assertThat(rssAfter - rssBefore).as("RSS growth in KiB").isLessThan(64 * 1024);
  }

  /** As many streams as poule serves, each read once; half closed, half reset; all gone within seconds. */
  private static void round() throws IOException {
    List<Socket> clients = new ArrayList<>();
    for (int i = 0; i < PouleVerticle.MAX_EVENT_STREAMS; i++) {
      Socket socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write("GET /api/events HTTP/1.1\r\nHost: poule\r\nAccept: text/event-stream\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII));
      clients.add(socket);
    }
    for (Socket socket : clients) {
      assertThat(readUntil(socket.getInputStream(), "data: ")).as("a first event").isTrue();
    }
    assertThat(stats().getInteger("eventStreams")).isEqualTo(PouleVerticle.MAX_EVENT_STREAMS);
    for (int i = 0; i < clients.size(); i++) {
      if (i % 2 == 0) {
        // a reset: what a client's kernel sends for a connection its process no longer has
        clients.get(i).setSoLinger(true, 0);
      }
      clients.get(i).close();
    }
    within(Duration.ofSeconds(5), "every stream closed", () -> stats().getInteger("eventStreams") == 0);
  }

  private static boolean readUntil(InputStream in, String marker) throws IOException {
    StringBuilder seen = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0) {
      seen.append((char) b);
      if (seen.indexOf(marker) >= 0) {
        return true;
      }
    }
    return false;
  }

  private static JsonObject stats() {
    try {
      return new JsonObject(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/stats")).build(),
        HttpResponse.BodyHandlers.ofString()).body());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static long descriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(poule.pid()), "fd"))) {
      return fds.count();
    }
  }

  private static long rssKiB() throws IOException {
    return Files.readAllLines(Path.of("/proc", String.valueOf(poule.pid()), "status")).stream()
      .filter(line -> line.startsWith("VmRSS:")).findFirst()
      .map(line -> Long.parseLong(line.replaceAll("\\D", ""))).orElseThrow();
  }
}
