package disco.registry.watch;

import disco.registry.config.Env;

/** The watcher's settings: the port of its operations surface (health, /cluster, /metrics). */
record WatcherConfig(int httpPort) {

  static WatcherConfig fromEnv(Env env) {
    return new WatcherConfig(env.integer("HTTP_PORT", 8080, 0, 65535));
  }
}
