package disco.slip;

import disco.registry.ClusterConfig;
import disco.registry.ConfigException;
import disco.registry.Env;
import disco.registry.ServiceEndpoint;
import disco.registry.ServiceIdentity;
import disco.registry.ServiceLauncher;

/** Starts a slip: joins the cluster, serves, publishes its record; SIGTERM unpublishes, drains and leaves. */
public final class SlipMain {

  private SlipMain() {
  }

  public static void main(String[] args) {
    Env env = new Env(System.getenv());
    SlipConfig slip;
    ClusterConfig cluster;
    ServiceIdentity identity;
    try {
      slip = SlipConfig.fromEnv(env);
      identity = ServiceIdentity.fromEnv("slip", env);
      cluster = ClusterConfig.fromEnv(env);
    } catch (ConfigException e) {
      ServiceLauncher.exitOnBadConfig(e);
      return;
    }
    ServiceLauncher.launch(cluster, node ->
      new SlipVerticle(slip, identity.hostname(), new ServiceEndpoint(node, identity, cluster.host())));
  }
}
