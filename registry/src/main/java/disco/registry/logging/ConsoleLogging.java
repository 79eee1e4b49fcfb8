package disco.registry.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The services' logging, set up in code: one line per event on the console, with Hazelcast's and
 * Netty's chatter and a false alarm of Micrometer's ({@link VertxGaugeReRegistration}) left out.
 * Logback finds it through {@code META-INF/services} before it looks for an XML file: a quarter of
 * what reading the same set-up from XML costs a start (docs/BENCHMARKS.md). Logback's own ways still win:
 * {@code -Dlogback.configurationFile} (the watcher sets it), or a {@code logback.xml} or
 * {@code logback-test.xml} on the class path.
 */
public final class ConsoleLogging extends ContextAwareBase implements Configurator {

  private static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (configuredElsewhere()) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("STDOUT");
    console.setEncoder(encoder);
    VertxGaugeReRegistration gauges = new VertxGaugeReRegistration();
    gauges.start();
    console.addFilter(gauges);
    console.start();

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(console);
    // Hazelcast's own banners and member tables are noise here: the nodes log membership in one line
    context.getLogger("com.hazelcast").setLevel(Level.WARN);
    context.getLogger("io.netty").setLevel(Level.WARN);
    // CP data structures are not used: its "UNSAFE mode" warning says nothing about this platform
    context.getLogger("com.hazelcast.cp.CPSubsystem").setLevel(Level.ERROR);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  private static boolean configuredElsewhere() {
    ClassLoader loader = ConsoleLogging.class.getClassLoader();
    return System.getProperty("logback.configurationFile") != null
      || loader.getResource("logback-test.xml") != null
      || loader.getResource("logback.xml") != null;
  }
}
