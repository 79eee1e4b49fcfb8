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
    return start(List.of(), jar, env, log);
  }

  /**
   * As {@link #start(Path, Map, Path)}, with the JVM started by {@code wrapper} (such as
   * {@code taskset -c 0}). SIGINT is set back to its default for the JVM: a shell without job
   * control ({@code cmd &} in a script) or {@code nohup} starts the tests with it ignored, every
   * child inherits that, and such a JVM installs no handler for it, so ctrl-c would do nothing.
   */
  public static JavaProcess start(List<String> wrapper, Path jar, Map<String, String> env, Path log) {
    List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT"));
    command.addAll(wrapper);
    command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
      "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
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

  /** SIGINT, what ctrl-c sends. */
  public void interrupt() {
    try {
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
  public String toString() {
    return "process " + pid() + " (" + log.getFileName() + ")";
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
