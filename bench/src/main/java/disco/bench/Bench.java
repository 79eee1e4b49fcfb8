package disco.bench;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drivers of bench/run.sh: runs the named measurements in order and prints their Markdown; each
 * measurement that ends well also appends its figures as JSON lines to $BENCH_RESULTS (see {@link Results}).
 */
public final class Bench {

  private static final Logger LOG = LoggerFactory.getLogger(Bench.class);
  private static final List<String> ALL = List.of("efficiency", "footprint", "propagation", "scale");

  private Bench() {
  }

  public static void main(String[] args) throws Exception {
    BenchConfig config;
    try {
      config = BenchConfig.fromEnv(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    List<String> sections = args.length == 0 ? ALL : List.of(args);
    boolean failed = false;
    try (Fleet fleet = new Fleet(config.logDir())) {
      Services services = new Services(fleet, config);
      Efficiency efficiency = new Efficiency(config, fleet, services);
      for (String section : sections) {
        LOG.info("measuring {}", section);
        long t0 = System.nanoTime();
        String markdown;
        Results results = new Results(section);
        try {
          markdown = switch (section) {
            case "efficiency" -> efficiency.run(results);
            case "footprint" -> new Footprint(config, fleet, services, efficiency).run(results);
            case "propagation" -> new Propagation(config, fleet, services).run(results);
            case "scale" -> new Scale(config, fleet, services).run(results);
            default -> throw new IllegalArgumentException("unknown measurement '" + section + "', expected " + ALL);
          };
          results.appendTo(config.results());
        } catch (Exception e) {
          LOG.error("{} failed", section, e);
          markdown = "## " + (ALL.indexOf(section) + 1) + ". " + section + "\n\nNot measured: " + e.getMessage() + " (logs in " + config.logDir() + ")\n";
          failed = true;
        } finally {
          fleet.stopAll();
        }
        LOG.info("{} took {} s", section, (System.nanoTime() - t0) / 1_000_000_000L);
        System.out.println(markdown);
        System.out.flush();
      }
    }
    System.exit(failed ? 1 : 0);
  }
}
