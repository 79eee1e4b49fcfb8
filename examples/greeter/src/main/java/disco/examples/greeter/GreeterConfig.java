package disco.examples.greeter;

/** HTTP_PORT (8090; 0: any free port) and GREETER_HOST, the address callers reach it at (127.0.0.1). */
record GreeterConfig(int httpPort, String host) {

  static GreeterConfig fromEnv() {
    String port = System.getenv().getOrDefault("HTTP_PORT", "8090");
    if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
      throw new IllegalArgumentException("HTTP_PORT=" + port + " is invalid: expected an integer from 0 to 65535");
    }
    return new GreeterConfig(Integer.parseInt(port), System.getenv().getOrDefault("GREETER_HOST", "127.0.0.1"));
  }
}
