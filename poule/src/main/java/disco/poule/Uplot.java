package disco.poule;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The dashboard's chart library, uPlot, served from its WebJar inside poule's jar (no CDN) under a
 * path without its version, so that the page need not change when the pom does.
 */
final class Uplot {

  private static final String POM = "META-INF/maven/org.webjars.npm/uplot/pom.properties";

  private Uplot() {
  }

  /** Serves {@code /lib/uplot/uPlot.iife.min.js} and {@code /lib/uplot/uPlot.min.css}. */
  static Handler<RoutingContext> handler() {
    return StaticHandler.create("META-INF/resources/webjars/uplot/" + version() + "/dist").setMaxAgeSeconds(86_400);
  }

  private static String version() {
    try (InputStream in = Uplot.class.getClassLoader().getResourceAsStream(POM)) {
      if (in == null) {
        throw new IllegalStateException(POM + " is not on the class path: the uPlot WebJar is missing");
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
