package disco.registry.discovery;

import disco.registry.ClusterNode;
import disco.registry.config.ClusterConfig;
import disco.registry.config.ConfigException;
import disco.registry.config.Env;
import disco.registry.security.ClusterSecret;
import io.vertx.core.Completable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster node of a Vert.x instance, for the discovery backend and the address resolver: the one
 * a service launched by {@code ServiceLauncher} already holds, or else one joined on first use with
 * the settings of the environment ({@code CLUSTER_SECRET} or {@code CLUSTER_SECRET_FILE},
 * {@code CLUSTER_NAME}, {@code CLUSTER_MEMBERS}, {@code CLUSTER_HOST}, ...), each overridden by a
 * string of the same name in {@code config}. Such a node joins on a thread of its own, so that no
 * event loop waits for it, as a data member unless {@code CLUSTER_LITE} says otherwise (it then
 * holds a share of the records, as every service does), and leaves the cluster when its Vert.x closes.
 */
final class LocalNode {

  private static final Logger LOG = LoggerFactory.getLogger(LocalNode.class);
  private static final long LEAVE_TIMEOUT_S = 15;
  private static final Map<Vertx, Future<ClusterNode>> JOINED = new ConcurrentHashMap<>();

  private LocalNode() {
  }

  /** The node of {@code vertx}, joined now if it has none; a bad setting fails it with one line. */
  static Future<ClusterNode> of(Vertx vertx, JsonObject config) {
    return ClusterNode.of(vertx).map(Future::succeededFuture)
      .orElseGet(() -> JOINED.computeIfAbsent(vertx, joining -> join(joining, config)));
  }

  private static Future<ClusterNode> join(Vertx vertx, JsonObject config) {
    Promise<ClusterNode> joined = Promise.promise();
    // Hazelcast's join blocks for a second or more, and resolving member names may wait on DNS
    Thread thread = new Thread(() -> {
      try {
        Env env = new Env(settings(config));
        ClusterNode node = ClusterNode.join(vertx, ClusterConfig.fromEnv(env), ClusterSecret.fromEnv(env));
        ((VertxInternal) vertx).addCloseHook(done -> leave(vertx, node, done));
        joined.complete(node);
      } catch (ConfigException e) {
        LOG.error("configuration error: {}", e.getMessage());
        JOINED.remove(vertx);
        joined.fail("configuration error: " + e.getMessage());
      } catch (RuntimeException e) {
        LOG.error("Could not join the cluster: {}", e.toString());
        JOINED.remove(vertx);
        joined.fail("could not join the cluster: " + e);
      }
    }, "cluster-join");
    thread.setDaemon(true);
    thread.start();
    return joined.future();
  }

  /** The environment, each variable overridden by a string of the same name in the backend's configuration. */
  static Map<String, String> settings(JsonObject config) {
    Map<String, String> settings = new HashMap<>(System.getenv());
    if (config != null) {
      config.forEach(entry -> {
        if (entry.getKey().startsWith("CLUSTER_") || entry.getKey().equals("HOSTNAME")) {
          settings.put(entry.getKey(), String.valueOf(entry.getValue()));
        }
      });
    }
    return settings;
  }

  /**
   * Vert.x runs its close hooks before it undeploys the verticles: the node's records are
   * unpublished first, as a verticle's stop would, then the node leaves (the verticle's own
   * unpublish then finds its record gone already, and succeeds).
   */
  private static void leave(Vertx vertx, ClusterNode node, Completable<Void> done) {
    node.clusterRecords().withdrawAll()
      .timeout(LEAVE_TIMEOUT_S, TimeUnit.SECONDS)
      .onComplete(withdrawn -> {
        // Hazelcast's graceful leave blocks while it hands its partitions over: not on a Vert.x thread
        Thread thread = new Thread(() -> {
          try {
            node.close(LEAVE_TIMEOUT_S, TimeUnit.SECONDS);
          } finally {
            JOINED.remove(vertx);
            done.succeed();
          }
        }, "cluster-leave");
        thread.setDaemon(true);
        thread.start();
      });
  }
}
