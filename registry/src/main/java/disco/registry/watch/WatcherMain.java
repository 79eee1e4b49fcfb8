package disco.registry.watch;

import disco.registry.ClusterConfig;
import disco.registry.ConfigException;
import disco.registry.Env;
import disco.registry.ServiceLauncher;

/** Joins the cluster as a lite member (holding no data) and prints its membership and records as they change. */
public final class WatcherMain {

  private WatcherMain() {
  }

  public static void main(String[] args) {
    // before the first logger exists: logback reads its configuration once
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "logback-watch.xml");
    }
    ClusterConfig cluster;
    try {
      cluster = ClusterConfig.fromEnv(new Env(System.getenv())).asLiteMember();
    } catch (ConfigException e) {
      ServiceLauncher.exitOnBadConfig(e);
      return;
    }
    ServiceLauncher.launch(cluster, WatcherVerticle::new);
  }
}
