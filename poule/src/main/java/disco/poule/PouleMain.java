package disco.poule;

import disco.registry.ClusterConfig;
import disco.registry.ConfigException;
import disco.registry.Env;
import disco.registry.ServiceEndpoint;
import disco.registry.ServiceIdentity;
import disco.registry.ServiceLauncher;

/** Starts poule: joins the cluster, calls slip permanently, serves the dashboard. */
public final class PouleMain {

  private PouleMain() {
  }

  public static void main(String[] args) {
    Env env = new Env(System.getenv());
    PouleConfig poule;
    ClusterConfig cluster;
    ServiceIdentity identity;
    try {
      poule = PouleConfig.fromEnv(env);
      identity = ServiceIdentity.fromEnv("poule", env);
      cluster = ClusterConfig.fromEnv(env);
    } catch (ConfigException e) {
      ServiceLauncher.exitOnBadConfig(e);
      return;
    }
    ServiceLauncher.launch(cluster, node ->
      new PouleVerticle(poule, node, new ServiceEndpoint(node, identity, cluster.host())));
  }
}
