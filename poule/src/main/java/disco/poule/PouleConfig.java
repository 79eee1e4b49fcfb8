package disco.poule;

import disco.registry.config.ConfigException;
import disco.registry.config.Env;

/** Poule's settings, read once from the environment. */
record PouleConfig(int httpPort, int concurrency, int timeoutMs, String service, Transport transport) {

  /** How poule calls the service: over HTTP, or over the event bus across the cluster. */
  enum Transport { HTTP, EVENTBUS }

  static PouleConfig fromEnv(Env env) {
    int port = env.integer("HTTP_PORT", 8080, 0, 65535);
    int concurrency = env.integer("POULE_CONCURRENCY", 10, 1, 10_000);
    int timeout = env.integer("POULE_TIMEOUT_MS", 1_000, 1, 600_000);
    String service = env.string("POULE_SERVICE", "slip");
    if (!service.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new ConfigException("POULE_SERVICE", service, "a service name of letters, digits, '.', '_' or '-'");
    }
    String transport = env.string("POULE_TRANSPORT", "http");
    if (!transport.equals("http") && !transport.equals("eventbus")) {
      throw new ConfigException("POULE_TRANSPORT", transport, "http or eventbus");
    }
    return new PouleConfig(port, concurrency, timeout, service, transport.equals("http") ? Transport.HTTP : Transport.EVENTBUS);
  }
}
