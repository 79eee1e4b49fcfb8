package disco.registry.watch;

import disco.registry.ClusterNode;
import disco.registry.ServiceEndpoint;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import io.vertx.servicediscovery.ServiceDiscoveryOptions;
import io.vertx.servicediscovery.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prints one line per record published, updated or removed anywhere in the cluster, as a user of
 * vertx-service-discovery follows them: the records there are at start, then the announcements
 * (members joining and leaving are logged by the node). Serves the operations surface, /metrics
 * included, without a record of its own.
 */
final class WatcherVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger("watch");

  private final WatcherConfig config;
  private final ClusterNode node;
  private final ServiceEndpoint endpoint;
  private ServiceDiscovery discovery;
  private MessageConsumer<JsonObject> announcements;

  WatcherVerticle(WatcherConfig config, ClusterNode node, ServiceEndpoint endpoint) {
    this.config = config;
    this.node = node;
    this.endpoint = endpoint;
  }

  @Override
  public Future<?> start() {
    node.membersJson().forEach(member -> LOG.info("member {}", describe((JsonObject) member)));
    discovery = ServiceDiscovery.create(vertx);
    // listening before the first read: a record published in between is told twice rather than never
    announcements = vertx.eventBus().consumer(ServiceDiscoveryOptions.DEFAULT_ANNOUNCE_ADDRESS,
      message -> announced(new Record(message.body())));
    return discovery.getRecords(record -> true)
      .onSuccess(records -> records.forEach(record -> LOG.info("record published: {}", describe(record))))
      .compose(records -> endpoint.serveWithoutRecord(Router.router(vertx), config.httpPort()));
  }

  @Override
  public Future<?> stop() {
    announcements.unregister();
    discovery.close();
    return endpoint.withdraw(registration -> Future.succeededFuture());
  }

  private static void announced(Record record) {
    if (record.getStatus() == Status.DOWN) {
      LOG.info("record removed:   {}", describe(record));
    } else if (record.getStatus() == Status.OUT_OF_SERVICE) {
      LOG.info("record out of service: {}", describe(record));
    } else if (record.getRegistration() == null) {
      LOG.info("record published: {}", describe(record));
    } else {
      LOG.info("record updated:   {}", describe(record));
    }
  }

  private static String describe(JsonObject member) {
    return member.getString("address") + " " + member.getString("id")
      + (member.getBoolean("lite") ? " (lite)" : "") + (member.getBoolean("self") ? " (this watcher)" : "");
  }

  /** What a person needs of a record: service, host name, where, version, publishing member. */
  private static String describe(Record record) {
    JsonObject metadata = record.getMetadata() == null ? new JsonObject() : record.getMetadata();
    JsonObject location = record.getLocation() == null ? new JsonObject() : record.getLocation();
    return record.getName() + " " + metadata.getString("hostname", "-") + " at " + location.getString("host", "?")
      + ":" + location.getValue("port", "?") + " version " + metadata.getString("version", "-")
      + " node " + metadata.getString("nodeId", "?");
  }
}
