package disco.registry.config;

import java.util.Map;

/** Reads typed values from environment variables, failing with a {@link ConfigException} that names the variable. */
public final class Env {

  private final Map<String, String> values;

  public Env(Map<String, String> values) {
    this.values = values;
  }

  public String string(String name, String fallback) {
    String value = values.get(name);
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  /** An integer in [min, max]; anything else (text, out of range) is a configuration error. */
  public int integer(String name, int fallback, int min, int max) {
    String raw = values.get(name);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    String expected = "an integer from " + min + " to " + max;
    try {
      int value = Integer.parseInt(raw.trim());
      if (value < min || value > max) {
        throw new ConfigException(name, raw, expected);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new ConfigException(name, raw, expected);
    }
  }

  public boolean bool(String name, boolean fallback) {
    String raw = string(name, null);
    if (raw == null) {
      return fallback;
    }
    return switch (raw.toLowerCase()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new ConfigException(name, raw, "true or false");
    };
  }

  /** The host name a service reports: HOSTNAME when set (Docker sets it), else the machine's. */
  public String hostname() {
    String name = string("HOSTNAME", null);
    if (name != null) {
      return name;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      throw new ConfigException("HOSTNAME is unset and the machine's host name cannot be resolved: set HOSTNAME");
    }
  }
}
