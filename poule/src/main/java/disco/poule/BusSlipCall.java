package disco.poule;

import disco.registry.ClusterNode;
import disco.registry.bus.ClusterBus;
import disco.registry.discovery.ServiceAddress;
import disco.registry.discovery.ServiceResolver;
import disco.registry.records.ServiceInstance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.net.endpoint.EndpointResolver;
import io.vertx.core.net.endpoint.LoadBalancer;
import io.vertx.core.net.endpoint.ServerEndpoint;
import io.vertx.core.net.endpoint.ServerInteraction;
import java.util.List;

/**
 * A request over the event bus across the cluster: the instance is picked as the HTTP client picks
 * one (the same resolver, the same load balancer, told of each call's end or failure), then asked
 * at the address its record names; it answers with its host name.
 */
final class BusSlipCall implements SlipCall {

  /**
   * How long the first request to each instance may take: it looks the address up in the cluster's
   * map and opens a TLS connection, seconds in a JVM that has just started beside others.
   */
  static final long WARM_UP_TIMEOUT_MS = 10_000;

  private final EndpointResolver endpoints;
  private final ClusterNode node;
  private final ClusterBus bus;
  private final ServiceAddress service;
  private final DeliveryOptions options;

  BusSlipCall(Vertx vertx, ClusterNode node, LoadBalancer balancer, PouleConfig config) {
    this.endpoints = ServiceResolver.endpoints(vertx, balancer);
    this.node = node;
    this.bus = node.bus();
    this.service = ServiceAddress.of(config.service());
    this.options = new DeliveryOptions().setSendTimeout(config.timeoutMs());
  }

  /**
   * Once the event bus is up (at once but for a lite member alone) and the records read, sends one
   * request, outside the balancer, to each instance: the calls that follow find the addresses looked
   * up and the connections open. Without it, the first calls of a poule that just started over the
   * event bus all outlast their timeout at once, and every instance is ejected. Completes when every
   * one answered or failed.
   */
  @Override
  public Future<Void> ready() {
    return bus.up().compose(up -> node.liveRecordsOnceRead())
      .compose(records -> warmUp(node.liveInstances(service.name())));
  }

  private Future<Void> warmUp(List<ServiceInstance> instances) {
    DeliveryOptions patient = new DeliveryOptions().setSendTimeout(WARM_UP_TIMEOUT_MS);
    List<Future<Message<Object>>> answers = instances.stream().filter(instance -> instance.eventBusAddress() != null)
      .map(instance -> bus.<Object>request(instance.eventBusAddress(), null, patient)).toList();
    return Future.join(answers).<Void>mapEmpty().otherwiseEmpty();
  }

  @Override
  public Future<String> send() {
    return endpoints.resolveEndpoint(service).compose(endpoint -> {
      ServerEndpoint server = endpoint.selectServer();
      if (server == null) {
        return Future.failedFuture("no instance of " + service.name());
      }
      ServiceInstance instance = (ServiceInstance) server.unwrap();
      ServerInteraction call = server.newInteraction();
      call.reportRequestBegin();
      if (instance.eventBusAddress() == null) {
        IllegalStateException none = new IllegalStateException(service.name() + " " + instance.hostname()
          + " publishes no event-bus address (" + ServiceInstance.EVENT_BUS_ADDRESS + ")");
        call.reportFailure(none);
        return Future.failedFuture(none);
      }
      call.reportRequestEnd();
      return bus.<String>request(instance.eventBusAddress(), null, options)
        .andThen(answer -> {
          if (answer.succeeded()) {
            call.reportResponseBegin();
            call.reportResponseEnd();
          } else {
            call.reportFailure(answer.cause());
          }
        })
        .map(Message::body);
    });
  }
}
