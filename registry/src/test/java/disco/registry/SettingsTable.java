package disco.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import disco.registry.config.ConfigException;
import disco.registry.config.Env;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The environment variables every service reads, each at the edges of what it accepts and just
 * past them: the table the services' settings tests and process tests run through.
 */
public final class SettingsTable {

  /** {@code refusal}: the start of the one line a refused value gets, or null when the value is accepted. */
  public record Setting(String variable, String value, String refusal) {

    /** The test's own environment with this setting in it (a secret setting replaces the default secret). */
    public Map<String, String> env() {
      Map<String, String> env = new HashMap<>(Map.of("CLUSTER_SECRET", TestCluster.SECRET_TEXT));
      if (variable.startsWith("CLUSTER_SECRET") || variable.equals("CLUSTER_INSECURE")) {
        env.remove("CLUSTER_SECRET");
      }
      env.put(variable, value);
      return env;
    }

    public boolean accepted() {
      return refusal == null;
    }

    /** Reads this setting with {@code read}: taken when accepted, else refused with its one line. */
    public void check(Function<Env, ?> read) {
      Env env = new Env(env());
      if (accepted()) {
        assertThat(read.apply(env)).isNotNull();
      } else {
        assertThatThrownBy(() -> read.apply(env)).isInstanceOf(ConfigException.class)
          .hasMessageStartingWith(refusal).hasMessageNotContaining("\n");
      }
    }

    @Override
    public String toString() {
      return variable + "=" + (value.length() > 24 ? value.substring(0, 20) + "...(" + value.length() + ")" : value);
    }
  }

  private static final Path SECRET_FILE = secretFile();

  private SettingsTable() {
  }

  public static Setting ok(String variable, String value) {
    return new Setting(variable, value, null);
  }

  public static Setting refused(String variable, String value, String refusal) {
    return new Setting(variable, value, refusal);
  }

  /** "NAME=value is invalid" for a value read by {@code Env}: the form of most refusals. */
  public static Setting invalid(String variable, String value) {
    return refused(variable, value, variable + "=" + value + " is invalid: expected ");
  }

  /** What every service reads: its identity, the cluster, the secret. */
  public static Stream<Setting> common() {
    return Stream.of(
      ok("SERVICE_VERSION", "0.0.2"), ok("SERVICE_VERSION", "1.2.3-rc.1+build.7"), ok("SERVICE_VERSION", "v".repeat(64)),
      invalid("SERVICE_VERSION", "v".repeat(65)), invalid("SERVICE_VERSION", "1.0 beta"),
      ok("HOSTNAME", "slip-7"), ok("HOSTNAME", "h".repeat(253)), invalid("HOSTNAME", "h".repeat(254)),
      invalid("HOSTNAME", "two words"),
      ok("SWARM_NODE", "node-1"), ok("SWARM_NODE", "n".repeat(253)), invalid("SWARM_NODE", "n".repeat(254)),
      invalid("SWARM_NODE", "node/1"),
      ok("CLUSTER_NAME", "d"), ok("CLUSTER_NAME", "c".repeat(64)), invalid("CLUSTER_NAME", "c".repeat(65)),
      invalid("CLUSTER_NAME", "a b"),
      ok("CLUSTER_PORT", "1"), ok("CLUSTER_PORT", "65535"), invalid("CLUSTER_PORT", "0"), invalid("CLUSTER_PORT", "65536"),
      invalid("CLUSTER_PORT", "57o1"),
      ok("CLUSTER_MEMBERS", "127.0.0.1"), ok("CLUSTER_MEMBERS", "127.0.0.1:1,localhost:65535"),
      invalid("CLUSTER_MEMBERS", "127.0.0.1:0"), invalid("CLUSTER_MEMBERS", "127.0.0.1,,"),
      refused("CLUSTER_MEMBERS", "slip.invalid", "CLUSTER_MEMBERS: cannot resolve 'slip.invalid'"),
      ok("CLUSTER_MEMBERS_OPTIONAL", "true"), ok("CLUSTER_MEMBERS_OPTIONAL", "false"),
      invalid("CLUSTER_MEMBERS_OPTIONAL", "yes"),
      ok("CLUSTER_HOST", "127.0.0.1"), ok("CLUSTER_HOST", "127.0.0.0/8"), invalid("CLUSTER_HOST", "127.0.0.0/33"),
      invalid("CLUSTER_HOST", "not an address"),
      ok("CLUSTER_LITE", "true"), ok("CLUSTER_LITE", "false"), invalid("CLUSTER_LITE", "1"),
      ok("CLUSTER_SECRET", "s".repeat(16)), ok("CLUSTER_SECRET", "s".repeat(4096)),
      refused("CLUSTER_SECRET", "s".repeat(15), "CLUSTER_SECRET holds 15 characters: a secret needs 16 to 4096"),
      refused("CLUSTER_SECRET", "s".repeat(4097), "CLUSTER_SECRET holds 4097 characters"),
      ok("CLUSTER_SECRET_FILE", SECRET_FILE.toString()),
      refused("CLUSTER_SECRET_FILE", "/nonexistent/cluster.secret", "CLUSTER_SECRET_FILE=/nonexistent/cluster.secret cannot be read"),
      ok("CLUSTER_INSECURE", "true"), invalid("CLUSTER_INSECURE", "yes"),
      refused("CLUSTER_INSECURE", "false", "no cluster secret: set CLUSTER_SECRET_FILE"));
  }

  public static List<Setting> refusals(Stream<Setting> settings) {
    return settings.filter(setting -> !setting.accepted()).toList();
  }

  private static Path secretFile() {
    try {
      Path file = Files.createTempFile("cluster", ".secret");
      Files.writeString(file, TestCluster.SECRET_TEXT + "\n");
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
