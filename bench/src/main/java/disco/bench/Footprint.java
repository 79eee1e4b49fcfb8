package disco.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Measurement 2: time from `java -jar` to the first answer and to ready, and resident memory. */
final class Footprint {

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(1)).build();

  private final BenchConfig config;
  private final Fleet fleet;
  private final Services services;
  private final Efficiency efficiency;

  Footprint(BenchConfig config, Fleet fleet, Services services, Efficiency efficiency) {
    this.config = config;
    this.fleet = fleet;
    this.services = services;
    this.efficiency = efficiency;
  }

  /** The figures of one series of starts, one entry per run. */
  private record Starts(List<Long> firstAnswer, List<Long> ready, List<Long> cpuAtReady, List<Long> idleRss,
                        List<Long> stop) {
    Starts() {
      this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    }

    /** The CPU a start costs, as what N of them at once ask of the machine's cores (measurement 4). */
    void cpuRow(Table t) {
      t.row("CPU time to ready, user + system (ms)", Table.median(cpuAtReady), Table.max(cpuAtReady),
          Table.all(cpuAtReady));
    }
  }

  String run(Results results) throws Exception {
    Starts plain = starts("start-", List.of());
    figures(results, plain, "default");
    Table t = new Table("figure", "median", "max", "runs");
    t.row("`java -jar` to first answered GET / (ms, includes one " + config.delayMs() + " ms delay)",
        Table.median(plain.firstAnswer), Table.max(plain.firstAnswer), Table.all(plain.firstAnswer));
    t.row("`java -jar` to GET /health/ready = 200 (ms)", Table.median(plain.ready), Table.max(plain.ready),
        Table.all(plain.ready));
    plain.cpuRow(t);
    t.row("RSS idle, 10 s after ready (MiB)", Table.median(plain.idleRss), Table.max(plain.idleRss),
        Table.all(plain.idleRss));
    t.row("SIGTERM to process exit (ms)", Table.median(plain.stop), Table.max(plain.stop), Table.all(plain.stop));
    String disco;
    if (config.discoFlags().isEmpty()) {
      disco = "With `./disco`'s JVM flags: not measured (BENCH_DISCO_FLAGS is empty; bench/run.sh sets it).\n";
    } else {
      Starts flagged = starts("disco-", config.discoFlags());
      figures(results, flagged, "disco");
      Table d = new Table("figure", "median", "max", "runs");
      d.row("`java` to GET /health/ready = 200 (ms)", Table.median(flagged.ready), Table.max(flagged.ready),
          Table.all(flagged.ready));
      flagged.cpuRow(d);
      d.row("RSS idle, 10 s after ready (MiB)", Table.median(flagged.idleRss), Table.max(flagged.idleRss),
          Table.all(flagged.idleRss));
      disco = "The same with `./disco`'s JVM flags (`" + String.join(" ", config.discoFlags()) + "`: its heap "
          + "and collector, and the AppCDS archive `./disco archives` made of a start of this jar):\n\n" + d;
    }
    StringBuilder load = new StringBuilder();
    if (!efficiency.slip.isEmpty()) {
      Table l = new Table("C", "slip peak RSS MiB", "bare peak RSS MiB");
      efficiency.slip.forEach((c, r) -> l.row(c, Table.f(r.peakRssMiB(), 0),
          Table.f(efficiency.bare.get(c).peakRssMiB(), 0)));
      load.append("RSS under load (sampled every 250 ms from /proc during measurement 1, default JVM flags")
          .append(config.pin() ? ", 1 CPU" : "").append("; idle before the load: slip ")
          .append(Table.f(efficiency.slipIdleRssMiB, 0)).append(" MiB, bare ")
          .append(Table.f(efficiency.bareIdleRssMiB, 0)).append(" MiB):\n\n").append(l);
    }
    return "## 2. slip footprint\n\n"
        + "A fresh one-node cluster each run, not pinned (both cores), default JVM flags (no -Xmx). Times are "
        + "from just before the driver starts `java -jar slip.jar` to the first 200 answer; the probes poll "
        + "every 10 ms. " + config.reps() + " runs.\n\n" + t + "\n" + disco + "\n" + load;
  }

  /**
   * The figures of one series as its table shows them, median and max (params flags: default or disco,
   * stat), each with its runs as samples; the start to ready has issue 10's target, 1.5 s. The table of
   * RSS under load repeats measurement 1's figures (efficiency's peak-rss and idle-rss): not written twice.
   */
  private void figures(Results results, Starts s, String flags) {
    boolean plain = flags.equals("default");
    if (plain) {
      series(results, "first-answer", "`java -jar` to first answered GET /, one " + config.delayMs()
          + " ms delay included", s.firstAnswer, "ms", flags, null);
    }
    series(results, "ready", (plain ? "`java -jar`" : "`java`") + " to GET /health/ready = 200", s.ready, "ms",
        flags, 1500L);
    series(results, "cpu-to-ready", "CPU time to ready, user + system", s.cpuAtReady, "ms", flags, null);
    series(results, "idle-rss", "RSS idle, 10 s after ready", s.idleRss, "MiB", flags, null);
    if (plain) {
      series(results, "stop", "SIGTERM to process exit", s.stop, "ms", flags, null);
    }
  }

  private static void series(Results results, String key, String what, List<Long> runs, String unit, String flags,
                             Long atMost) {
    for (String stat : List.of("median", "max")) {
      Results.Figure f = results.add(key, what, Results.measured(stat.equals("median") ? Table.median(runs)
          : Table.max(runs)), unit).param("flags", flags).param("stat", stat).samples(runs);
      if (atMost != null) {
        f.atMost(atMost);
      }
    }
  }

  /** {@code reps} fresh one-node clusters, each slip started with {@code jvmFlags}. */
  private Starts starts(String prefix, List<String> jvmFlags) throws Exception {
    Starts starts = new Starts();
    for (int i = 0; i < config.reps(); i++) {
      long t0 = System.currentTimeMillis();
      Services.Node s = services.slip(prefix + i, "bench-foot-" + UUID.randomUUID(), 0, null, jvmFlags);
      AtomicLong answered = new AtomicLong(-1);
      Thread prober = new Thread(() -> pollFirstAnswer(s.httpPort(), answered), "first-answer");
      prober.start();
      long readyAt = Probe.awaitOk(s.httpPort(), "/health/ready", Duration.ofSeconds(120));
      long cpuTicks = Fleet.cpuTicks(s.pid());
      prober.join(130_000);
      Efficiency.require(readyAt > 0 && answered.get() > 0, "slip " + prefix + i + " never got ready");
      starts.firstAnswer.add(answered.get() - t0);
      starts.ready.add(readyAt - t0);
      starts.cpuAtReady.add(cpuTicks * 10); // ticks of 1/100 s
      Thread.sleep(10_000);
      starts.idleRss.add(Math.round(Fleet.rssMiB(s.pid())));
      long t1 = System.currentTimeMillis();
      s.process().destroy();
      s.process().waitFor(60, TimeUnit.SECONDS);
      starts.stop.add(System.currentTimeMillis() - t1);
      fleet.stopAll();
    }
    return starts;
  }

  private static void pollFirstAnswer(int port, AtomicLong answered) {
    HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
        .timeout(Duration.ofSeconds(5)).GET().build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (answered.get() < 0 && System.nanoTime() < deadline) {
      HTTP.sendAsync(get, HttpResponse.BodyHandlers.discarding()).thenAccept(r -> {
        if (r.statusCode() == 200) {
          answered.compareAndSet(-1, System.currentTimeMillis());
        }
      });
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
