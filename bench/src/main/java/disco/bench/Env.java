package disco.bench;

import java.util.Map;

/** Reads one validated value from the environment; a bad value fails with a line naming it. */
final class Env {

  private Env() {
  }

  static int integer(Map<String, String> env, String name, int fallback, int min, int max) {
    String raw = env.get(name);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(raw.trim());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below with the expected form
    }
    throw new IllegalArgumentException(name + ": '" + raw + "' is not an integer in [" + min + ", " + max + "]");
  }

  static boolean bool(Map<String, String> env, String name, boolean fallback) {
    String raw = env.get(name);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    return switch (raw.trim()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(name + ": '" + raw + "' is not true or false");
    };
  }
}
