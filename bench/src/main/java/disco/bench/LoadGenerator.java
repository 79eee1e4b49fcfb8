package disco.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Closed-loop load: keeps exactly C requests in flight (one per connection, no pipelining) for a
 * warm-up then a measured window, and prints one JSON line: throughput, latency percentiles from
 * send to full response, errors. Each event loop owns C / loops connections and its own histogram.
 */
final class LoadGenerator extends VerticleBase {

  record Config(URI url, int concurrency, int warmupS, int durationS, long delayMs, int loops) {
    static Config fromArgs(String[] args) {
      java.util.Map<String, String> m = new java.util.HashMap<>();
      for (int i = 0; i + 1 < args.length; i += 2) {
        m.put(args[i].replaceFirst("^--", "").toUpperCase().replace('-', '_'), args[i + 1]);
      }
      if (!m.containsKey("URL")) {
        throw new IllegalArgumentException("--url: missing, expected http://127.0.0.1:PORT/");
      }
      return new Config(URI.create(m.get("URL")),
          Env.integer(m, "CONCURRENCY", 100, 1, 60_000),
          Env.integer(m, "WARMUP", 3, 0, 600),
          Env.integer(m, "DURATION", 10, 1, 600),
          Env.integer(m, "DELAY_MS", 100, 1, 60_000),
          Env.integer(m, "LOOPS", Runtime.getRuntime().availableProcessors(), 1, 64));
    }
  }

  /** What one event loop measured; merged in main. */
  record Slice(Histogram latencyUs, long completed, long errors, JsonObject errorKinds) {
  }

  private final Config config;
  private final int slots;
  private final Promise<Slice> done = Promise.promise();
  private final Histogram latencyUs = new Histogram(60_000_000L, 3);
  private final JsonObject errorKinds = new JsonObject();
  private HttpClientAgent client;
  private HttpConnectOptions connect;
  private RequestOptions request;
  private long measureFrom;
  private long measureUntil;
  private long completed;
  private long errors;

  LoadGenerator(Config config, int slots) {
    this.config = config;
    this.slots = slots;
  }

  Future<Slice> slice() {
    return done.future();
  }

  @Override
  public Future<?> start() {
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setPipelining(false));
    URI url = config.url();
    connect = new HttpConnectOptions().setHost(url.getHost()).setPort(url.getPort()).setConnectTimeout(10_000);
    request = new RequestOptions().setMethod(HttpMethod.GET)
        .setURI(url.getRawPath().isEmpty() ? "/" : url.getRawPath()).setIdleTimeout(10_000);
    long now = System.nanoTime();
    measureFrom = now + config.warmupS() * 1_000_000_000L;
    measureUntil = measureFrom + config.durationS() * 1_000_000_000L;
    for (int i = 0; i < slots; i++) {
      connectSlot();
    }
    vertx.setTimer(1000L * (config.warmupS() + config.durationS()), id ->
        done.complete(new Slice(latencyUs, completed, errors, errorKinds)));
    return Future.succeededFuture();
  }

  // one connection per slot, no pool: the pool's search for a free connection costs O(C) per request
  private void connectSlot() {
    if (System.nanoTime() >= measureUntil) {
      return;
    }
    client.connect(connect).onComplete(ar -> {
      if (ar.succeeded()) {
        send(ar.result());
      } else {
        countError(System.nanoTime(), ar.cause().getClass().getSimpleName());
        vertx.setTimer(10, id -> connectSlot()); // a refused connection must not spin the loop
      }
    });
  }

  private void send(HttpClientConnection connection) {
    long sentAt = System.nanoTime();
    if (sentAt >= measureUntil) {
      connection.close();
      return;
    }
    connection.request(request)
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(body -> resp.statusCode()))
        .onComplete(ar -> {
          long answeredAt = System.nanoTime();
          if (ar.succeeded() && ar.result() == 200) {
            if (answeredAt >= measureFrom && answeredAt < measureUntil) {
              completed++;
              latencyUs.recordValue(Math.min((answeredAt - sentAt) / 1000, latencyUs.getHighestTrackableValue()));
            }
            send(connection);
          } else {
            countError(answeredAt, ar.succeeded() ? "HTTP " + ar.result() : ar.cause().getClass().getSimpleName());
            connection.close();
            vertx.setTimer(10, id -> connectSlot());
          }
        });
  }

  private void countError(long at, String kind) {
    if (at >= measureFrom && at < measureUntil) {
      errors++;
      errorKinds.put(kind, errorKinds.getLong(kind, 0L) + 1);
    }
  }

  public static void main(String[] args) {
    Config config;
    try {
      config = Config.fromArgs(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(config.loops()));
    List<LoadGenerator> generators = new ArrayList<>();
    List<Future<?>> deployed = new ArrayList<>();
    for (int i = 0; i < config.loops(); i++) {
      int slots = config.concurrency() / config.loops() + (i < config.concurrency() % config.loops() ? 1 : 0);
      LoadGenerator g = new LoadGenerator(config, slots);
      generators.add(g);
      deployed.add(vertx.deployVerticle(g, new DeploymentOptions()));
    }
    Future.all(deployed).await();
    List<Future<Slice>> slices = generators.stream().map(LoadGenerator::slice).toList();
    Future.all(slices).await();
    System.out.println(merge(config, slices.stream().map(Future::result).toList()).encode());
    vertx.close().await();
  }

  private static JsonObject merge(Config config, List<Slice> slices) {
    Histogram all = new Histogram(60_000_000L, 3);
    long completed = 0;
    long errors = 0;
    JsonObject kinds = new JsonObject();
    for (Slice s : slices) {
      all.add(s.latencyUs());
      completed += s.completed();
      errors += s.errors();
      s.errorKinds().forEach(e -> kinds.put(e.getKey(), kinds.getLong(e.getKey(), 0L) + (Long) e.getValue()));
    }
    double throughput = completed / (double) config.durationS();
    double ideal = config.concurrency() * 1000.0 / config.delayMs();
    return new JsonObject()
        .put("url", config.url().toString())
        .put("concurrency", config.concurrency())
        .put("warmupS", config.warmupS())
        .put("durationS", config.durationS())
        .put("completed", completed)
        .put("throughput", throughput)
        .put("ideal", ideal)
        .put("achievedOverIdeal", throughput / ideal)
        .put("p50Ms", all.getValueAtPercentile(50) / 1000.0)
        .put("p99Ms", all.getValueAtPercentile(99) / 1000.0)
        .put("p999Ms", all.getValueAtPercentile(99.9) / 1000.0)
        .put("maxMs", all.getMaxValue() / 1000.0)
        .put("errors", errors)
        .put("errorKinds", kinds);
  }
}
