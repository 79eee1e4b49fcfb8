package disco.poule;

import static disco.registry.TestCluster.within;
import static org.assertj.core.api.Assertions.assertThat;

import disco.registry.Http;
import disco.registry.JavaProcess;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The watcher, poule and a slip started on one CPU that busy loops hold: their event loops and workers
 * must never be held past Vert.x's limit, which a starved node turns from milliseconds of work into
 * seconds. Busy loops outnumber the services' threads so that each thread gets a sliver of the CPU,
 * as on a 2-core node starting a swarm's tasks. A start that makes its first use of the HTTP stack,
 * or its first cluster task, on an event loop fails here (docs/DESIGN.md, "Nothing waits on an event loop").
 */
@Timeout(300)
class StarvedStartIT {

  private static final int BUSY_LOOPS = 24;
  private static final Duration BUSY_FOR = Duration.ofSeconds(200);
  private static final Pattern BLOCKED = Pattern.compile(".*has been blocked for.*");

  private final String cluster = "starved-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<Process> busy = new ArrayList<>();
  private final List<JavaProcess> services = new ArrayList<>();

  @AfterEach
  void stopAll() {
    busy.forEach(Process::destroy);
    services.forEach(JavaProcess::close);
  }

  /** A service started on CPU 0 only, in this test's cluster. */
  private JavaProcess start(String module, String hostname) {
    Map<String, String> env = Map.of("CLUSTER_NAME", cluster, "HTTP_PORT", "0", "HOSTNAME", hostname);
    JavaProcess process = JavaProcess.start(List.of("taskset", "-c", "0"), JavaProcess.jar(module), env,
      JavaProcess.logFile(cluster + "-" + hostname));
    services.add(process);
    return process;
  }

  /**
   * A shell loop that spins on CPU 0 until the test ends it, and ends by itself after {@link #BUSY_FOR}
   * (bash's own clock: no process to fork per turn), so that none outlives a test JVM killed midway.
   */
  private void spin() throws IOException {
    busy.add(new ProcessBuilder("taskset", "-c", "0", "bash", "-c",
      "while [ $SECONDS -lt " + BUSY_FOR.toSeconds() + " ]; do :; done")
      .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
  }

  private static int readyPort(JavaProcess process) {
    return Integer.parseInt(process.awaitLog("ready on port (\\d+)", Duration.ofSeconds(150)));
  }

  /** poule's count of calls answered by {@code hostname}; 0 while poule is too starved to answer in time. */
  private static long callsTo(int poulePort, String hostname) {
    try {
      JsonObject host = Http.json("http://127.0.0.1:" + poulePort + "/api/stats").getJsonObject("perHost").getJsonObject(hostname);
      return host == null ? 0 : host.getLong("calls");
    } catch (UncheckedIOException e) {
      return 0;
    }
  }

  @Test
  void no_thread_is_held_past_the_limit_while_every_service_starts_on_a_starved_cpu() throws IOException {
    for (int i = 0; i < BUSY_LOOPS; i++) {
      spin();
    }
    JavaProcess watcher = start("registry", "watcher");
    JavaProcess poule = start("poule", "poule");
    JavaProcess slip = start("slip", "slip");
    readyPort(watcher);
    int poulePort = readyPort(poule);
    readyPort(slip);
    // the first calls, and the first answers, are part of a start too
    within(Duration.ofSeconds(90), "poule calling slip", () -> callsTo(poulePort, "slip") >= 20);
    busy.forEach(Process::destroy);

    for (JavaProcess service : services) {
      assertThat(service.isAlive()).as(service + " still running").isTrue();
      Matcher blocked = BLOCKED.matcher(service.output());
      assertThat(blocked.find() ? blocked.group() : null).as("a blocked-thread report of " + service).isNull();
    }
  }
}
