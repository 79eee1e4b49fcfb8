package disco.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** A Markdown table, and the number formats and summaries the report uses. */
final class Table {

  private final List<String> lines = new ArrayList<>();

  Table(String... header) {
    lines.add("| " + String.join(" | ", header) + " |");
    lines.add("|" + "---|".repeat(header.length));
  }

  Table row(Object... cells) {
    List<String> s = new ArrayList<>();
    for (Object c : cells) {
      s.add(Long.valueOf(Long.MAX_VALUE).equals(c) ? "never" : String.valueOf(c));
    }
    lines.add("| " + String.join(" | ", s) + " |");
    return this;
  }

  @Override
  public String toString() {
    return String.join("\n", lines) + "\n";
  }

  static String f(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  static String verdict(boolean met) {
    return met ? "met" : "**MISSED**";
  }

  static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.isEmpty() ? -1 : sorted.get((sorted.size() - 1) / 2);
  }

  static long max(List<Long> values) {
    return values.stream().mapToLong(Long::longValue).max().orElse(-1);
  }

  static String all(List<Long> values) {
    return String.join(", ", values.stream().map(v -> v == Long.MAX_VALUE ? "never" : v.toString()).toList());
  }
}
