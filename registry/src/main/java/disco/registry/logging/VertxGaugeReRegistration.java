package disco.registry.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops Micrometer's warning that one of Vert.x's own gauges "has been already registered". Vert.x
 * registers a connection gauge again for each connection on purpose and keeps its count right
 * (vertx-micrometer-metrics issue 259, Micrometer issue 6931); Micrometer 1.13.9 and later warn about
 * it once per process, and poule logged that WARN at its first call to a slip, a false alarm on
 * every start. The same warning about any other meter, the services' own included, still shows.
 */
public final class VertxGaugeReRegistration extends Filter<ILoggingEvent> {

  static final String LOGGER = "io.micrometer.core.instrument.MeterRegistry";
  private static final String WARNING = "This Gauge has been already registered (MeterId{name='vertx.";

  @Override
  public FilterReply decide(ILoggingEvent event) {
    return LOGGER.equals(event.getLoggerName()) && event.getFormattedMessage().startsWith(WARNING)
      ? FilterReply.DENY
      : FilterReply.NEUTRAL;
  }
}
