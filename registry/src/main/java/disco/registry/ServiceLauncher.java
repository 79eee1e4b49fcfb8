package disco.registry;

import disco.registry.config.ClusterConfig;
import disco.registry.config.ConfigException;
import disco.registry.config.Env;
import disco.registry.metrics.NodeMetrics;
import disco.registry.security.ClusterSecret;
import io.vertx.core.Deployable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The life of a service process: join, start the event bus, deploy, and on SIGTERM undeploy (unpublish, drain) then leave. */
public final class ServiceLauncher {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceLauncher.class);
  private static final long START_TIMEOUT_S = 120;
  private static final long UNDEPLOY_TIMEOUT_S = 10;
  private static final long LEAVE_TIMEOUT_S = 15;
  private static final String NETTY_JFR = "io.netty.jfr.enabled";

  private ServiceLauncher() {
  }

  /** Builds a service's verticle once its node has joined. */
  @FunctionalInterface
  public interface ServiceFactory<C> {
    Deployable create(C config, ClusterNode node, ServiceEndpoint endpoint);
  }

  /**
   * The whole of a service's {@code main}: read its settings, its identity and the cluster's from the
   * environment (exit 2 with one line on a bad value), then launch it.
   */
  public static <C> void run(String service, Function<Env, C> readConfig, ServiceFactory<C> factory) {
    run(service, readConfig, factory, false, new NodeMetrics());
  }

  /** As {@link #run}, for a service that holds no data (the watcher): a Hazelcast lite member. */
  public static <C> void runAsLiteMember(String service, Function<Env, C> readConfig, ServiceFactory<C> factory) {
    run(service, readConfig, factory, true, new NodeMetrics());
  }

  /**
   * As {@link #run}, for a service whose every request counts (slip): without Vert.x's per-request
   * HTTP server meters (see {@link NodeMetrics#NodeMetrics(boolean)}); it registers its own.
   */
  public static <C> void runWithOwnRequestMeters(String service, Function<Env, C> readConfig, ServiceFactory<C> factory) {
    run(service, readConfig, factory, false, new NodeMetrics(false));
  }

  private static <C> void run(String service, Function<Env, C> readConfig, ServiceFactory<C> factory, boolean lite,
                              NodeMetrics metrics) {
    // Netty's JFR events for its buffers: their first one registers JFR's metadata, hundreds of
    // milliseconds of CPU on whichever event loop allocates first. -Dio.netty.jfr.enabled=true keeps them.
    if (System.getProperty(NETTY_JFR) == null) {
      System.setProperty(NETTY_JFR, "false");
    }
    ServiceSettings<C> settings;
    try {
      settings = ServiceSettings.fromEnv(service, new Env(System.getenv()), readConfig);
    } catch (ConfigException e) {
      exitOnBadConfig(e);
      return;
    }
    ClusterConfig cluster = lite ? settings.cluster().asLiteMember() : settings.cluster();
    launch(cluster, settings.secret(), metrics, node -> factory.create(settings.config(), node,
      new ServiceEndpoint(node, settings.identity(), cluster.host())));
  }

  /** Prints the configuration error as one line and exits 2. For a {@code main} only. */
  private static void exitOnBadConfig(ConfigException e) {
    System.err.println("configuration error: " + e.getMessage());
    System.exit(2);
  }

  /** Starts the node and the verticle; exits 1 if either fails. Returns once started. */
  private static void launch(ClusterConfig cluster, ClusterSecret secret, NodeMetrics metrics,
                             Function<ClusterNode, Deployable> verticle) {
    if (secret.isInsecure()) {
      LOG.warn("CLUSTER_INSECURE=true: an open cluster; any process that reaches port {} and knows the name '{}' "
        + "can join it and publish records that will be called", cluster.port(), cluster.name());
    }
    ClusterNode node = null;
    try {
      // beside the join, which waits on the network most of its time
      Thread warm = new Thread(WarmStart::run, "warm-start");
      warm.start();
      node = ClusterNode.join(cluster, secret, metrics);
      // not waited for: a cluster of lite members (a watcher alone) has no bus until a data member joins
      node.startBus();
      warm.join();
      String deployment = node.vertx().deployVerticle(verticle.apply(node)).await(START_TIMEOUT_S, TimeUnit.SECONDS);
      ClusterNode started = node;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(started, deployment), "graceful-stop"));
    } catch (Exception e) {
      LOG.error("Start failed: {}", e.toString());
      if (node != null) {
        node.close(LEAVE_TIMEOUT_S, TimeUnit.SECONDS);
      }
      System.exit(1);
    }
  }

  private static void stop(ClusterNode node, String deployment) {
    LOG.info("Stopping: unpublish, drain, leave the cluster");
    try {
      node.vertx().undeploy(deployment).await(UNDEPLOY_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Undeploy did not complete: {}", e.toString());
    }
    node.close(LEAVE_TIMEOUT_S, TimeUnit.SECONDS);
    LOG.info("Left the cluster");
  }
}
