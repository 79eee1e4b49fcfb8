package disco.registry.watch;

import disco.registry.config.ClusterConfig;
import disco.registry.config.ConfigException;
import disco.registry.config.Env;
import disco.registry.security.ClusterSecret;
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
    Env env = new Env(System.getenv());
    ClusterConfig cluster;
    ClusterSecret secret;
    try {
      cluster = ClusterConfig.fromEnv(env).asLiteMember();
      secret = ClusterSecret.fromEnv(env);
    } catch (ConfigException e) {
      ServiceLauncher.exitOnBadConfig(e);
      return;
    }
    ServiceLauncher.launch(cluster, secret, WatcherVerticle::new);
  }
}
