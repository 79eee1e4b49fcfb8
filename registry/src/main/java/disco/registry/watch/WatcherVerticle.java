package disco.registry.watch;

import disco.registry.ClusterNode;
import disco.registry.ServiceDirectory;
import disco.registry.ServiceEndpoint;
import disco.registry.records.ServiceInstance;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prints one line per record published or removed (members joining and leaving are logged by the
 * node), and serves the operations surface, /metrics included, without a record of its own.
 */
final class WatcherVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger("watch");

  private final WatcherConfig config;
  private final ClusterNode node;
  private final ServiceEndpoint endpoint;
  private ServiceDirectory directory;

  WatcherVerticle(WatcherConfig config, ClusterNode node, ServiceEndpoint endpoint) {
    this.config = config;
    this.node = node;
    this.endpoint = endpoint;
  }

  @Override
  public Future<?> start() {
    node.membersJson().forEach(member -> LOG.info("member {}", describe((JsonObject) member)));
    directory = new ServiceDirectory(node, name -> true, new ServiceDirectory.Listener() {
      @Override
      public void added(ServiceInstance instance) {
        LOG.info("record published: {}", describe(instance));
      }

      @Override
      public void removed(ServiceInstance instance) {
        LOG.info("record removed:   {}", describe(instance));
      }
    });
    directory.start();
    return endpoint.serveWithoutRecord(Router.router(vertx), config.httpPort());
  }

  @Override
  public Future<?> stop() {
    directory.stop();
    return endpoint.withdraw();
  }

  private static String describe(JsonObject member) {
    return member.getString("address") + " " + member.getString("id")
      + (member.getBoolean("lite") ? " (lite)" : "") + (member.getBoolean("self") ? " (this watcher)" : "");
  }

  private static String describe(ServiceInstance instance) {
    return instance.name() + " " + instance.hostname() + " at " + instance.host() + ":" + instance.port()
      + " version " + instance.version() + " node " + instance.nodeId();
  }
}
