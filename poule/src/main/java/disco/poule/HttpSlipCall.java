package disco.poule;

import disco.registry.discovery.ServiceAddress;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpResponseExpectation;
import io.vertx.core.http.RequestOptions;

/** {@code GET /} to the service by name, through the HTTP client's address resolver and load balancer. */
final class HttpSlipCall implements SlipCall {

  private final HttpClient client;
  private final RequestOptions request;

  HttpSlipCall(HttpClient client, PouleConfig config) {
    this.client = client;
    this.request = new RequestOptions().setMethod(HttpMethod.GET).setServer(ServiceAddress.of(config.service()))
      .setURI("/").setConnectTimeout(config.timeoutMs()).setIdleTimeout(config.timeoutMs());
  }

  @Override
  public Future<String> send() {
    return client.request(request)
      .compose(req -> req.send().expecting(HttpResponseExpectation.SC_OK))
      .compose(HttpClientResponse::body)
      .map(body -> body.toString());
  }
}
