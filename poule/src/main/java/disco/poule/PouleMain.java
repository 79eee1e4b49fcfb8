package disco.poule;

import disco.registry.ServiceLauncher;

/** Starts poule: joins the cluster, calls slip permanently, serves the dashboard. */
public final class PouleMain {

  private PouleMain() {
  }

  public static void main(String[] args) {
    ServiceLauncher.run("poule", PouleConfig::fromEnv, PouleVerticle::new);
  }
}
