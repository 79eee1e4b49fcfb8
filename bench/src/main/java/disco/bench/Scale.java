package disco.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.IntStream;

/**
 * Measurement 4: N slips started at once into poule's cluster: convergence, memory, spread of calls.
 * The slips get {@code ./disco}'s JVM flags when bench/run.sh gives them: they are how a user starts
 * many slips on one machine.
 */
final class Scale {

  private static final int SPREAD_WINDOW_S = 20;

  private final BenchConfig config;
  private final Fleet fleet;
  private final Services services;

  Scale(BenchConfig config, Fleet fleet, Services services) {
    this.config = config;
    this.fleet = fleet;
    this.services = services;
  }

  String run(Results results) throws Exception {
    int n = config.scaleSlips();
    String cluster = "bench-scale-" + UUID.randomUUID();
    // every member names every other, as ./disco's port range and Swarm's DNS do: naming poule alone,
    // groups that a starved failure detector split off never found each other again
    List<Integer> clusterPorts = services.clusterPorts(n + 1);
    Services.Node poule = services.poule(cluster, clusterPorts.get(0), clusterPorts,
        Map.of("POULE_CONCURRENCY", Integer.toString(config.scalePouleConcurrency())), config.discoPouleFlags());
    Efficiency.require(Probe.awaitOk(poule.httpPort(), "/health/ready", Duration.ofSeconds(120)) > 0,
        "poule never got ready");
    long t0 = System.currentTimeMillis();
    List<Services.Node> slips = new ArrayList<>();
    // each slip's own start, and when poule first counted a call to it, in ms since t0
    long[] startedAt = new long[n];
    AtomicLongArray firstCalled = new AtomicLongArray(n);
    for (int i = 0; i < n; i++) {
      firstCalled.set(i, -1);
    }
    // slips started one by one are watched while the others start: their own start is the measure
    Thread watcher = new Thread(() -> watchFirstCalls(poule, t0, firstCalled), "first-calls");
    watcher.setDaemon(true);
    watcher.start();
    for (int i = 0; i < n; i++) {
      if (i > 0 && config.scaleStaggerMs() > 0) {
        Thread.sleep(config.scaleStaggerMs());
      }
      startedAt[i] = System.currentTimeMillis() - t0;
      slips.add(services.slip(host(i), cluster, clusterPorts.get(i + 1), clusterPorts, null, config.discoFlags(),
          config.scaleLite()));
    }
    long lastStarted = System.currentTimeMillis() - t0;
    long[] members = {-1};
    long[] records = {-1};
    Probe.poll(Duration.ofSeconds(300), 100, () -> {
      JsonObject c = Probe.json(poule.httpPort(), "/cluster");
      long now = System.currentTimeMillis();
      if (c != null && members[0] < 0 && c.getJsonArray("members", new JsonArray()).size() == n + 1) {
        members[0] = now - t0;
      }
      if (c != null && records[0] < 0 && slipRecords(c) == n) {
        records[0] = now - t0;
      }
      return members[0] >= 0 && records[0] >= 0 ? true : null;
    });
    Probe.poll(Duration.ofSeconds(60), 100,
        () -> IntStream.range(0, n).allMatch(i -> firstCalled.get(i) >= 0) ? true : null);
    watcher.interrupt();
    List<Long> toFirstCall = new ArrayList<>();
    long neverCalled = 0;
    for (int i = 0; i < n; i++) {
      if (firstCalled.get(i) < 0) {
        neverCalled++;
      } else {
        toFirstCall.add(firstCalled.get(i) - startedAt[i]);
      }
    }
    Long allReady = Probe.poll(Duration.ofSeconds(120), 100, () -> slips.stream().allMatch(
        s -> Probe.status(s.httpPort(), "/health/ready") == 200) ? System.currentTimeMillis() - t0 : null);
    long agree = slips.stream().map(s -> Probe.json(s.httpPort(), "/cluster"))
        .filter(c -> c != null && c.getJsonArray("members", new JsonArray()).size() == n + 1).count();
    Thread.sleep(5000);
    List<Long> rss = slips.stream().map(s -> Math.round(Fleet.rssMiB(s.pid()))).filter(v -> v >= 0).toList();
    long pouleRss = Math.round(Fleet.rssMiB(poule.pid()));
    JsonObject before = Probe.json(poule.httpPort(), "/api/stats");
    Thread.sleep(SPREAD_WINDOW_S * 1000L);
    JsonObject after = Probe.json(poule.httpPort(), "/api/stats");
    long exited = slips.stream().filter(s -> !s.process().isAlive()).count();
    fleet.stopAll();

    List<Long> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      calls.add(callsOf(after, host(i)) - callsOf(before, host(i)));
    }
    long min = calls.stream().mapToLong(Long::longValue).min().orElse(0);
    long max = Table.max(calls);
    long total = calls.stream().mapToLong(Long::longValue).sum();
    long errors = after == null || before == null ? -1 : after.getLong("errors", 0L) - before.getLong("errors", 0L);
    figures(results, new Figures(n, lastStarted, members[0], records[0], allReady, toFirstCall, neverCalled, agree,
        exited, rss, pouleRss, total, calls, errors));
    Table t = new Table("figure", "value");
    t.row("slips started", config.scaleStaggerMs() == 0 ? n + " at once"
        : n + ", one every " + config.scaleStaggerMs() + " ms (the last at " + lastStarted + " ms)");
    t.row("start of the first `java -jar` -> poule sees " + (n + 1) + " members (ms)", show(members[0]));
    t.row("-> poule sees " + n + " slip records (ms)", show(records[0]));
    t.row("-> every slip answers /health/ready 200 (ms)", allReady == null ? "not within 120 s" : allReady);
    t.row("each slip's own start -> poule's first call to it (ms): min / median / max",
        toFirstCall.isEmpty() ? "-" : toFirstCall.stream().mapToLong(Long::longValue).min().orElse(-1)
            + " / " + Table.median(toFirstCall) + " / " + Table.max(toFirstCall));
    t.row("slips poule never called", neverCalled);
    t.row("slips that themselves see " + (n + 1) + " members", agree + " of " + n);
    t.row("slip processes that exited before the end", exited);
    t.row("RSS per running slip, idle (MiB): min / median / max", rss.stream().mapToLong(Long::longValue).min().orElse(-1)
        + " / " + Table.median(rss) + " / " + Table.max(rss));
    t.row("RSS of all slips together (MiB)", rss.stream().mapToLong(Long::longValue).sum());
    t.row("RSS of poule (MiB)", pouleRss);
    t.row("poule's calls in " + SPREAD_WINDOW_S + " s (POULE_CONCURRENCY=" + config.scalePouleConcurrency() + ")", total);
    t.row("calls per slip: min / max, max/min", min + " / " + max + ", "
        + (min > 0 ? Table.f(max / (double) min, 2) : "inf"));
    t.row("poule `errors` in that window", errors);
    return "## 4. scale\n\n"
        + "One poule, then " + n + " slips" + (config.scaleLite() ? " (lite members: BENCH_SCALE_LITE)" : "")
        + " started " + (config.scaleStaggerMs() == 0 ? "at once" : "one every " + config.scaleStaggerMs() + " ms")
        + " (separate JVMs, "
        + (config.discoFlags().isEmpty() ? "default flags" : "`./disco`'s flags: `" + String.join(" ", config.discoFlags()) + "`")
        + "; poule with " + (config.discoPouleFlags().isEmpty() ? "default flags"
            : "`./disco`'s: `" + String.join(" ", config.discoPouleFlags()) + "`")
        + ", not pinned, 2 cores "
        + "for " + (n + 1) + " JVMs) into its cluster on 127.0.0.1. Membership polled every 100 ms on poule's "
        + "GET /cluster. Spread = calls per slip (delta of poule's perHost calls) over " + SPREAD_WINDOW_S
        + " s once all are ready.\n\n" + t + "\nCalls per slip: " + Table.all(calls) + "\n";
  }

  /** What the table shows, as measured. */
  private record Figures(int n, long lastStarted, long members, long records, Long allReady, List<Long> toFirstCall,
                         long neverCalled, long agree, long exited, List<Long> rss, long pouleRss, long total,
                         List<Long> calls, long errors) {
  }

  /**
   * The table's figures, each with the run's settings as params (slips, staggerMs, lite,
   * pouleConcurrency; stat for a min / median / max). Issue 10's targets for 20 slips: at once, 40 s
   * to the members, the records and every slip ready; one a second, 3 s from each slip's own start to
   * its first call. Times never reached (the Markdown's "not within") are null.
   */
  private void figures(Results results, Figures f) {
    int n = f.n();
    boolean atOnce = config.scaleStaggerMs() == 0;
    results.common("slips", n).common("staggerMs", config.scaleStaggerMs()).common("lite", config.scaleLite())
        .common("pouleConcurrency", config.scalePouleConcurrency());
    results.add("slips", "slips started", n, "count");
    if (!atOnce) {
      results.add("last-start", "start of the first `java -jar` -> start of the last one", f.lastStarted(), "ms");
    }
    String first = "start of the first `java -jar` -> ";
    Results.Figure members = results.add("members", first + "poule sees every member",
        f.members() < 0 ? null : f.members(), "ms");
    Results.Figure records = results.add("records", first + "poule sees every slip's record",
        f.records() < 0 ? null : f.records(), "ms");
    Results.Figure ready = results.add("all-ready", first + "every slip answers /health/ready 200", f.allReady(), "ms");
    if (atOnce && n == 20) {
      members.atMost(40_000);
      records.atMost(40_000);
      ready.atMost(40_000);
    }
    if (!f.toFirstCall().isEmpty()) {
      for (String stat : List.of("min", "median", "max")) {
        Results.Figure call = results.add("first-call", "each slip's own start -> poule's first call to it",
            stat(f.toFirstCall(), stat), "ms").param("stat", stat).samples(f.toFirstCall());
        if (config.scaleStaggerMs() == 1000 && n == 20) {
          call.atMost(3000);
        }
      }
    }
    results.add("never-called", "slips poule never called", f.neverCalled(), "count");
    results.add("agree", "slips that themselves see every member", f.agree(), "count");
    results.add("exited", "slip processes that exited before the end", f.exited(), "count");
    for (String stat : List.of("min", "median", "max")) {
      results.add("slip-rss", "RSS per running slip, idle", f.rss().isEmpty() ? null : stat(f.rss(), stat),
          "MiB").param("stat", stat).samples(f.rss());
    }
    results.add("slips-rss", "RSS of all slips together", f.rss().stream().mapToLong(Long::longValue).sum(), "MiB");
    results.add("poule-rss", "RSS of poule", f.pouleRss(), "MiB");
    results.add("calls", "poule's calls in " + SPREAD_WINDOW_S + " s", f.total(), "count");
    for (String stat : List.of("min", "max")) {
      results.add("calls-per-slip", "calls per slip in " + SPREAD_WINDOW_S + " s", stat(f.calls(), stat),
          "count").param("stat", stat).samples(f.calls());
    }
    long min = stat(f.calls(), "min");
    if (min > 0) { // the table's "inf" is no number
      results.add("calls-spread", "calls per slip, max / min", Results.shown(Table.max(f.calls()) / (double) min, 2),
          "ratio");
    }
    results.add("errors", "poule `errors` in the " + SPREAD_WINDOW_S + " s window", f.errors() < 0 ? null
        : f.errors(), "count");
  }

  private static long stat(List<Long> values, String stat) {
    return switch (stat) {
      case "min" -> values.stream().mapToLong(Long::longValue).min().orElse(-1);
      case "median" -> Table.median(values);
      default -> Table.max(values);
    };
  }

  private static String host(int i) {
    return String.format("scale-%02d", i);
  }

  /** Polls poule's stats every 100 ms until interrupted; notes when each slip got its first call. */
  private static void watchFirstCalls(Services.Node poule, long t0, AtomicLongArray firstCalled) {
    while (!Thread.currentThread().isInterrupted()) {
      JsonObject stats = Probe.json(poule.httpPort(), "/api/stats");
      long now = System.currentTimeMillis() - t0;
      for (int i = 0; i < firstCalled.length(); i++) {
        if (firstCalled.get(i) < 0 && callsOf(stats, host(i)) > 0) {
          firstCalled.set(i, now);
        }
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static String show(long ms) {
    return ms < 0 ? "not within 300 s" : Long.toString(ms);
  }

  private static long slipRecords(JsonObject cluster) {
    JsonArray r = cluster.getJsonArray("records", new JsonArray());
    long count = 0;
    for (int i = 0; i < r.size(); i++) {
      if ("slip".equals(r.getJsonObject(i).getString("name"))) {
        count++;
      }
    }
    return count;
  }

  private static long callsOf(JsonObject stats, String host) {
    if (stats == null || stats.getJsonObject("perHost") == null
        || stats.getJsonObject("perHost").getJsonObject(host) == null) {
      return 0;
    }
    return stats.getJsonObject("perHost").getJsonObject(host).getLong("calls", 0L);
  }
}
