package disco.slip;

import disco.registry.ServiceLauncher;

/** Starts a slip: joins the cluster, serves, publishes its record; SIGTERM unpublishes, drains and leaves. */
public final class SlipMain {

  private SlipMain() {
  }

  public static void main(String[] args) {
    ServiceLauncher.runWithOwnRequestMeters("slip", SlipConfig::fromEnv, (slip, node, endpoint) -> new SlipVerticle(slip, endpoint, node.bus(), node.metrics().registry()));
  }
}
