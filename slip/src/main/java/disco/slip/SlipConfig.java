package disco.slip;

import disco.registry.config.ConfigException;
import disco.registry.config.Env;

/** Slip's settings, read once from the environment. {@code unready}: a broken release that never becomes ready. */
record SlipConfig(int httpPort, int delayMs, boolean unready) {

  static SlipConfig fromEnv(Env env) {
    int port = env.integer("HTTP_PORT", 8080, 0, 65535);
    int delay = env.integer("SLIP_DELAY_MS", 100, 0, 60_000);
    String fault = env.string("SLIP_FAULT", "none");
    if (!fault.equals("none") && !fault.equals("unready")) {
      throw new ConfigException("SLIP_FAULT", fault, "none or unready");
    }
    return new SlipConfig(port, delay, fault.equals("unready"));
  }
}
