package disco.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The framework's own limit: a Vert.x HTTP server that answers GET / after a timer, and nothing else. */
final class BareServer extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(BareServer.class);

  record Config(int port, long delayMs, int instances) {
    static Config fromEnv(java.util.Map<String, String> env) {
      return new Config(
          Env.integer(env, "HTTP_PORT", 8080, 0, 65535),
          Env.integer(env, "DELAY_MS", 100, 0, 60_000),
          Env.integer(env, "INSTANCES", 1, 1, 64));
    }
  }

  private final Config config;
  private HttpServer server;

  BareServer(Config config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer().requestHandler(this::answerAfterDelay);
    return server.listen(config.port(), "127.0.0.1");
  }

  private void answerAfterDelay(HttpServerRequest request) {
    vertx.setTimer(config.delayMs(), id -> request.response()
        .putHeader("content-type", "text/plain")
        .end("bare"));
  }

  public static void main(String[] args) {
    Config config;
    try {
      config = Config.fromEnv(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Vertx vertx = Vertx.vertx();
    try {
      vertx.deployVerticle(() -> new BareServer(config), new DeploymentOptions().setInstances(config.instances()))
          .await();
      LOG.info("bare server listening on 127.0.0.1:{}, delay {} ms, {} instance(s)",
          config.port(), config.delayMs(), config.instances());
    } catch (Exception e) {
      LOG.error("bare server failed to start", e);
      vertx.close();
      System.exit(1);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await()));
  }
}
