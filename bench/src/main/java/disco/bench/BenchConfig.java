package disco.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** What bench/run.sh hands the drivers, read once from the environment. */
record BenchConfig(Path slipJar, Path pouleJar, Path benchJar, Path wrkScript, Path logDir, boolean pin,
                   String loadGenerator, List<Integer> concurrencies, int durationS, int warmupS, int reps,
                   int scaleSlips, int scaleStaggerMs, boolean scaleLite, int scalePouleConcurrency, int delayMs, List<String> discoFlags,
                   List<String> discoPouleFlags, Path results) {

  static BenchConfig fromEnv(Map<String, String> env) {
    String gen = env.getOrDefault("BENCH_LOADGEN", "wrk");
    if (!gen.equals("wrk") && !gen.equals("vertx")) {
      throw new IllegalArgumentException("BENCH_LOADGEN: '" + gen + "' is not wrk or vertx");
    }
    List<Integer> cs;
    try {
      cs = Arrays.stream(env.getOrDefault("BENCH_CONCURRENCY", "100,1000,2000,5000").split(","))
          .map(String::trim).map(Integer::valueOf).toList();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("BENCH_CONCURRENCY: '" + env.get("BENCH_CONCURRENCY")
          + "' is not a comma-separated list of integers");
    }
    return new BenchConfig(
        file(env, "SLIP_JAR"), file(env, "POULE_JAR"), file(env, "BENCH_JAR"), file(env, "WRK_SCRIPT"),
        Path.of(env.getOrDefault("BENCH_LOG_DIR", "/tmp/disco-bench")),
        "1".equals(env.getOrDefault("BENCH_PIN", "0")),
        gen, cs,
        Env.integer(env, "BENCH_DURATION_S", 10, 1, 600),
        Env.integer(env, "BENCH_WARMUP_S", 3, 0, 600),
        Env.integer(env, "BENCH_REPS", 3, 1, 50),
        Env.integer(env, "BENCH_SCALE_SLIPS", 20, 1, 22), // 22 slips + poule + driver: the JVM budget
        Env.integer(env, "BENCH_SCALE_STAGGER_MS", 0, 0, 60_000),
        // the scaled slips join as lite members (CLUSTER_LITE): the README's design question, measured
        Env.bool(env, "BENCH_SCALE_LITE", false),
        // poule's calls in flight while the slips start: 50 as the benchmark always had it; poule's
        // own default, 10, leaves the joins the CPU that 40 more calls take
        Env.integer(env, "BENCH_SCALE_POULE_CONCURRENCY", 50, 1, 5000),
        Env.integer(env, "SLIP_DELAY_MS", 100, 1, 10_000),
        // the JVM flags ./disco starts slip.jar with (./disco java-flags), one per line; none: not measured
        lines(env, "BENCH_DISCO_FLAGS"),
        // ... and poule.jar: scale starts poule as ./disco up does; none: default flags
        lines(env, "BENCH_DISCO_POULE_FLAGS"),
        // where the figures go as JSON lines (bench/run.sh: $BENCH_LOG_DIR/figures.jsonl); none: not written
        env.getOrDefault("BENCH_RESULTS", "").isBlank() ? null : Path.of(env.get("BENCH_RESULTS")));
  }

  private static List<String> lines(Map<String, String> env, String name) {
    return env.getOrDefault(name, "").lines().map(String::trim).filter(line -> !line.isEmpty()).toList();
  }

  /** CPU list for the server under test, or null when not pinned. */
  String serverCpus() {
    return pin ? "0" : null;
  }

  /** CPU list for the load generator, or null when not pinned. */
  String loadCpus() {
    return pin ? "1" : null;
  }

  private static Path file(Map<String, String> env, String name) {
    String raw = env.get(name);
    if (raw == null || !Files.isRegularFile(Path.of(raw))) {
      throw new IllegalArgumentException(name + ": '" + raw + "' is not a file");
    }
    return Path.of(raw);
  }
}
