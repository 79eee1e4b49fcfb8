package disco.registry.watch;

import disco.registry.ServiceLauncher;

/**
 * Joins the cluster as a lite member (holding no data), prints its membership and records as they
 * change, and serves health, /cluster and /metrics on HTTP_PORT, publishing no record.
 */
public final class WatcherMain {

  private WatcherMain() {
  }

  public static void main(String[] args) {
    // before the first logger exists: logback reads its configuration once
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "logback-watch.xml");
    }
    ServiceLauncher.runAsLiteMember("watcher", WatcherConfig::fromEnv,
      (config, node, endpoint) -> new WatcherVerticle(config, node, endpoint));
  }
}
