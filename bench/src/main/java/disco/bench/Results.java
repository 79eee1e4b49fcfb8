package disco.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The figures one measurement reports, one JSON object each (docs/results/README.md): bench, key, what,
 * value, unit, target, bound, params, time; bench/run.sh adds commit, run and machine to every line.
 * Kept in memory until the measurement has ended well, then appended to bench/run.sh's file: a failed
 * measurement writes no line, so none of its figures stands for a run that did not finish.
 */
final class Results {

  private final String bench;
  private final List<Figure> figures = new ArrayList<>();
  private final JsonObject common = new JsonObject();

  Results(String bench) {
    this.bench = bench;
  }

  /**
   * A figure: {@code what} is the same sentence in every run (the variable parts go in params), value
   * null when the event it times never came (a "never" or "not within" of the Markdown).
   */
  Figure add(String key, String what, Number value, String unit) {
    Figure f = new Figure(new JsonObject()
        .put("bench", bench)
        .put("key", key)
        .put("what", what)
        .put("value", finite(value))
        .put("unit", unit)
        .putNull("target")
        .putNull("bound")
        .put("params", common.copy())
        .put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()));
    figures.add(f);
    return f;
  }

  /** A param every figure added from now on has, first in its params: a setting of the whole run. */
  Results common(String name, Object value) {
    common.put(name, value);
    return this;
  }

  /** Appends every line to file (none when file is null: the driver ran without bench/run.sh). */
  void appendTo(Path file) throws IOException {
    if (file == null || figures.isEmpty()) {
      return;
    }
    StringBuilder out = new StringBuilder();
    for (Figure f : figures) {
      out.append(f.json.encode()).append('\n');
    }
    Files.writeString(file, out, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /** value as the table shows it, with that many decimals: an integer when decimals is 0. */
  static Number shown(double value, int decimals) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return null;
    }
    String s = Table.f(value, decimals);
    return decimals == 0 ? (Number) Long.valueOf(s) : (Number) Double.valueOf(s);
  }

  /** A measured time or count, null for the drivers' "never" (Long.MAX_VALUE). */
  static Long measured(long value) {
    return value == Long.MAX_VALUE ? null : value;
  }

  private static Number finite(Number value) {
    if (value instanceof Double d && (d.isNaN() || d.isInfinite())) {
      return null;
    }
    if (value instanceof Long l && l == Long.MAX_VALUE) {
      return null;
    }
    return value;
  }

  /** One line, given its params and target as the measurement knows them. */
  static final class Figure {

    private final JsonObject json;

    private Figure(JsonObject json) {
      this.json = json;
    }

    Figure param(String name, Object value) {
      json.getJsonObject("params").put(name, value);
      return this;
    }

    /** The target is a ceiling: met when value <= target. */
    Figure atMost(Number target) {
      json.put("target", target);
      return this;
    }

    /** The target is a floor: met when value >= target ("better": "higher"). */
    Figure atLeast(Number target) {
      json.put("target", target).put("better", "higher");
      return this;
    }

    /** The repetitions an aggregate is taken over, in the order the table's "runs" column lists them. */
    Figure samples(List<Long> values) {
      JsonArray a = new JsonArray();
      values.forEach(v -> a.add(measured(v)));
      json.put("samples", a);
      return this;
    }
  }
}
