package disco.examples.greeter;

import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/**
 * A plain Vert.x main: the cluster's settings come from the environment (CLUSTER_SECRET_FILE,
 * CLUSTER_NAME, ...), read by the discovery backend that {@code ServiceDiscovery.create} finds.
 */
public final class GreeterMain {

  private GreeterMain() {
  }

  public static void main(String[] args) {
    GreeterConfig config;
    try {
      config = GreeterConfig.fromEnv();
    } catch (IllegalArgumentException e) {
      System.err.println("configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    Vertx vertx = Vertx.vertx();
    try {
      vertx.deployVerticle(new GreeterVerticle(config)).await(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("start failed: " + e.getMessage());
      vertx.close().await();
      System.exit(1);
    }
    // on SIGTERM: the verticle unpublishes, then the node leaves the cluster with its Vert.x
    Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await(), "graceful-stop"));
  }
}
