package disco.registry.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.FilterReply;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConsoleLoggingTest {

  private final LoggerContext context = new LoggerContext();

  @Test
  void services_log_one_line_per_event_on_the_console_without_hazelcasts_chatter() {
    assertThat(new ConsoleLogging().configure(context)).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.INFO);
    assertThat(context.getLogger("com.hazelcast.internal.cluster.ClusterService").getEffectiveLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("io.netty.channel.nio.NioEventLoop").getEffectiveLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("com.hazelcast.cp.CPSubsystem").getEffectiveLevel()).isEqualTo(Level.ERROR);
    assertThat(context.getLogger("disco.registry.ServiceEndpoint").getEffectiveLevel()).isEqualTo(Level.INFO);

    ConsoleAppender<ILoggingEvent> console = (ConsoleAppender<ILoggingEvent>) root.getAppender("STDOUT");
    assertThat(console.isStarted()).isTrue();
    Logger endpoint = context.getLogger("disco.registry.ServiceEndpoint");
    String line = encode(console.getEncoder(), new LoggingEvent(Logger.class.getName(), endpoint, Level.INFO,
      "slip {} ready on port {}", null, new Object[] {"s1", 8080}));
    assertThat(line).matches("\\d{2}:\\d{2}:\\d{2}\\.\\d{3} INFO  ServiceEndpoint - slip s1 ready on port 8080\\R");
  }

  @Test
  void micrometers_warning_about_vertx_gauges_registered_again_is_left_out_and_no_other() {
    new ConsoleLogging().configure(context);
    ConsoleAppender<ILoggingEvent> console = (ConsoleAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME)
      .getAppender("STDOUT");
    Logger micrometer = context.getLogger(VertxGaugeReRegistration.LOGGER);
    String warning = "This Gauge has been already registered ({}), the registration will be ignored. "
      + "Note that subsequent logs will be logged at debug level.";

    assertThat(console.getFilterChainDecision(event(micrometer, Level.WARN, warning,
      "MeterId{name='vertx.http.client.active.connections', tags=[]}"))).isEqualTo(FilterReply.DENY);
    // the services' own meters are registered once: a warning about them would be a bug to see
    assertThat(console.getFilterChainDecision(event(micrometer, Level.WARN, warning,
      "MeterId{name='disco.poule.calls.in.flight', tags=[]}"))).isEqualTo(FilterReply.NEUTRAL);
    assertThat(console.getFilterChainDecision(event(micrometer, Level.WARN, "Meter {} is broken", "vertx.x")))
      .isEqualTo(FilterReply.NEUTRAL);
    assertThat(console.getFilterChainDecision(event(context.getLogger("disco.poule.PouleVerticle"), Level.WARN, warning,
      "MeterId{name='vertx.http.client.active.connections', tags=[]}"))).isEqualTo(FilterReply.NEUTRAL);
  }

  @Test
  void a_configuration_file_named_on_the_command_line_wins() {
    // the watcher names its own file this way; so can a user
    System.setProperty("logback.configurationFile", "logback-watch.xml");
    try {
      assertThat(new ConsoleLogging().configure(context)).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
      assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();
    } finally {
      System.clearProperty("logback.configurationFile");
    }
  }

  private static LoggingEvent event(Logger logger, Level level, String message, Object argument) {
    return new LoggingEvent(Logger.class.getName(), logger, level, message, null, new Object[] {argument});
  }

  private static String encode(Encoder<ILoggingEvent> encoder, ILoggingEvent event) {
    return new String(encoder.encode(event), StandardCharsets.UTF_8);
  }
}
