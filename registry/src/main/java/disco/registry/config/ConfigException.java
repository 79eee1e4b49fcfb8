package disco.registry.config;

/** A configuration value that cannot be used; its message is the one line a user sees. */
public final class ConfigException extends RuntimeException {

  public ConfigException(String variable, String value, String expected) {
    super(variable + "=" + value + " is invalid: expected " + expected);
  }

  public ConfigException(String message) {
    super(message);
  }
}
