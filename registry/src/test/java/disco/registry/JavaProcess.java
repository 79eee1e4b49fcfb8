package disco.registry;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A service jar run as a real process, with its own environment; output goes to a log file for the test to read. */
public final class JavaProcess implements AutoCloseable {

  /** SIGINT is signal 2: bit 1 of the masks in /proc/PID/status. */
  private static final long SIGINT_BIT = 1L << 1;

  private final Process process;
  private final Path log;

  private JavaProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code jar} with {@code env}; unless {@code env} says how the cluster is secured, the
   * process shares {@link TestCluster#SECRET}, so that it joins the test's own nodes.
   */
  public static JavaProcess start(Path jar, Map<String, String> env, Path log) {
    List<String> command = new ArrayList<>(List.of(
      Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    if (!env.containsKey("CLUSTER_SECRET") && !env.containsKey("CLUSTER_SECRET_FILE") && !env.containsKey("CLUSTER_INSECURE")) {
      builder.environment().put("CLUSTER_SECRET", TestCluster.SECRET_TEXT);
    }
    try {
      return new JavaProcess(builder.start(), log);
    } catch (IOException e) {
      throw new AssertionError("cannot start " + jar, e);
    }
  }

  /** The jar a module built: {@code module/target/module.jar}, found from the module the test runs in. */
  public static Path jar(String module) {
    Path here = Path.of("").toAbsolutePath();
    Path jar = here.resolveSibling(module).resolve("target").resolve(module + ".jar");
    if (!Files.exists(jar)) {
      jar = here.resolve("target").resolve(module + ".jar");
    }
    if (!Files.exists(jar)) {
      throw new AssertionError("no " + jar + ": run the integration tests through mvn verify");
    }
    return jar;
  }

  /** Waits for a log line matching {@code regex} and returns its first group. */
  public String awaitLog(String regex, Duration limit) {
    Pattern pattern = Pattern.compile(regex);
    return TestCluster.until(limit, "log line /" + regex + "/ from " + log.getFileName(), () -> {
      Matcher matcher = pattern.matcher(output());
      return matcher.find() ? matcher.group(1) : null;
    });
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGTERM: the graceful path. */
  public void terminate() {
    process.destroy();
  }

  /**
   * SIGINT, what ctrl-c sends. A JVM that starts with SIGINT ignored installs no handler for it, and
   * a child inherits that: the tests run under {@code nohup} or as a background command of a shell
   * without job control ({@code cmd &} in a script) would see the process go on, which says nothing
   * about the service. That case fails here, saying so.
   */
  public void interrupt() {
    try {
      String status = Files.readString(Path.of("/proc", String.valueOf(pid()), "status"));
      Matcher ignored = Pattern.compile("SigIgn:\\s*([0-9a-f]+)").matcher(status);
      if (ignored.find() && (Long.parseLong(ignored.group(1), 16) & SIGINT_BIT) != 0) {
        throw new AssertionError("SIGINT is ignored by process " + pid() + " (inherited from the shell that started the"
          + " tests, as nohup or 'cmd &' in a script do): run the tests in the foreground to test ctrl-c");
      }
      new ProcessBuilder("kill", "-INT", String.valueOf(pid())).start().waitFor();
    } catch (IOException e) {
      throw new AssertionError("cannot send SIGINT to " + pid(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** SIGKILL: no goodbye, sockets closed by the kernel. */
  public void kill() {
    process.destroyForcibly();
  }

  public int waitForExit(long seconds) {
    try {
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        throw new AssertionError("process " + pid() + " still running after " + seconds + " s");
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      waitForExit(10);
    }
  }

  public static Path logFile(String name) {
    File dir = Path.of("target", "it-logs").toFile();
    dir.mkdirs();
    return dir.toPath().resolve(name + ".log");
  }
}
