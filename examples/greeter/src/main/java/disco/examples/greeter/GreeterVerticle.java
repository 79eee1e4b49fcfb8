package disco.examples.greeter;

import disco.registry.discovery.ServiceAddress;
import disco.registry.discovery.ServiceLoadBalancer;
import disco.registry.discovery.ServiceResolver;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpResponseExpectation;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import io.vertx.servicediscovery.types.HttpEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Publishes itself, and answers each {@code GET /} with what slip, called by name, said. */
final class GreeterVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(GreeterVerticle.class);

  private final GreeterConfig config;
  private ServiceDiscovery discovery;
  private HttpClient slip;
  private HttpServer server;
  private Record record;

  GreeterVerticle(GreeterConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    discovery = ServiceDiscovery.create(vertx);
    slip = vertx.httpClientBuilder()
      .withAddressResolver(ServiceResolver.create())
      .withLoadBalancer(new ServiceLoadBalancer())
      .build();
    return vertx.createHttpServer().requestHandler(this::greet).listen(config.httpPort())
      .compose(listening -> {
        server = listening;
        return discovery.publish(HttpEndpoint.createRecord("greeter", config.host(), listening.actualPort(), "/"));
      })
      .onSuccess(published -> {
        record = published;
        LOG.info("greeter ready on port {}", server.actualPort());
      });
  }

  @Override
  public Future<?> stop() {
    return discovery.unpublish(record.getRegistration())
      .compose(v -> server.shutdown())
      .onComplete(done -> discovery.close());
  }

  private void greet(HttpServerRequest request) {
    slip.request(new RequestOptions().setServer(ServiceAddress.of("slip")).setURI("/").setIdleTimeout(2_000))
      .compose(call -> call.send().expecting(HttpResponseExpectation.SC_OK))
      .compose(HttpClientResponse::body)
      .onSuccess(host -> request.response().end("hello from " + host + "\n"))
      .onFailure(err -> request.response().setStatusCode(503).end("no slip answered\n"));
  }
}
