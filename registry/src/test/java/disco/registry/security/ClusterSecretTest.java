package disco.registry.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import disco.registry.config.ConfigException;
import disco.registry.config.Env;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.Status;
import io.vertx.servicediscovery.types.HttpEndpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterSecretTest {

  private static final String SECRET = "0123456789abcdef-a-secret";
  private final ClusterSecret secret = ClusterSecret.of(SECRET);

  private static ClusterSecret fromEnv(Map<String, String> env) {
    return ClusterSecret.fromEnv(new Env(env));
  }

  private static Record record(String host, int port) {
    return HttpEndpoint.createRecord("slip", host, port, "/",
        new JsonObject().put("nodeId", "n-1").put("hostname", "slip-1").put("startedAt", 1764485820123L))
      .setRegistration("r-1").setStatus(Status.UP);
  }

  /** What the cluster map holds: the record as JSON text, read back with its keys in another order. */
  private static Record throughTheMap(Record record) {
    JsonObject json = record.toJson();
    JsonObject reordered = new JsonObject();
    json.fieldNames().stream().sorted((a, b) -> b.compareTo(a)).forEach(key -> reordered.put(key, json.getValue(key)));
    return new Record(new JsonObject(reordered.encode()));
  }

  @Test
  void a_signed_record_verifies_after_a_trip_through_the_map() {
    Record signed = throughTheMap(secret.sign(record("10.0.0.5", 8080)));
    assertThat(signed.getMetadata().getString(ClusterSecret.SIGNATURE)).isNotBlank();
    assertThat(secret.verify(signed)).isEqualTo(ClusterSecret.Verdict.VALID);
  }

  @Test
  void a_replayed_record_with_another_address_is_forged() {
    Record replayed = throughTheMap(secret.sign(record("10.0.0.5", 8080)));
    replayed.getLocation().put("host", "10.0.0.66");
    assertThat(secret.verify(replayed)).isEqualTo(ClusterSecret.Verdict.FORGED);
    Record otherPort = throughTheMap(secret.sign(record("10.0.0.5", 8080)));
    otherPort.getMetadata().put("hostname", "slip-2");
    assertThat(secret.verify(otherPort)).isEqualTo(ClusterSecret.Verdict.FORGED);
  }

  @Test
  void unsigned_or_foreign_records_are_not_valid() {
    assertThat(secret.verify(record("10.0.0.5", 8080))).isEqualTo(ClusterSecret.Verdict.UNSIGNED);
    Record foreign = ClusterSecret.of("another-secret-of-16+chars").sign(record("10.0.0.5", 8080));
    assertThat(secret.verify(foreign)).isEqualTo(ClusterSecret.Verdict.FORGED);
    Record garbage = record("10.0.0.5", 8080);
    garbage.getMetadata().put(ClusterSecret.SIGNATURE, 42);
    assertThat(secret.verify(garbage)).isEqualTo(ClusterSecret.Verdict.UNSIGNED);
  }

  @Test
  void the_cluster_name_depends_on_the_secret_and_only_an_open_cluster_keeps_it_as_given() {
    assertThat(secret.clusterName("disco")).startsWith("disco-").hasSize("disco-".length() + 16)
      .isEqualTo(ClusterSecret.of(SECRET).clusterName("disco"))
      .isNotEqualTo(ClusterSecret.of(SECRET + "x").clusterName("disco"))
      .doesNotContain(SECRET);
    assertThat(ClusterSecret.insecure().clusterName("disco")).isEqualTo("disco");
  }

  @Test
  void an_open_cluster_signs_nothing_and_accepts_every_record() {
    ClusterSecret open = ClusterSecret.insecure();
    Record record = open.sign(record("10.0.0.5", 8080));
    assertThat(record.getMetadata().containsKey(ClusterSecret.SIGNATURE)).isFalse();
    assertThat(open.verify(record)).isEqualTo(ClusterSecret.Verdict.VALID);
  }

  @Test
  void the_secret_comes_from_a_file_or_the_environment(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("cluster.secret");
    Files.writeString(file, SECRET + "\n");
    String fromFile = fromEnv(Map.of("CLUSTER_SECRET_FILE", file.toString())).clusterName("disco");
    assertThat(fromFile).isEqualTo(secret.clusterName("disco"));
    assertThat(fromEnv(Map.of("CLUSTER_SECRET", SECRET)).clusterName("disco")).isEqualTo(fromFile);
    assertThat(fromEnv(Map.of("CLUSTER_INSECURE", "true")).isInsecure()).isTrue();
  }

  @Test
  void no_secret_short_secret_unreadable_file_or_two_sources_are_refused_without_echoing_the_secret(@TempDir Path dir) {
    assertThatThrownBy(() -> fromEnv(Map.of())).isInstanceOf(ConfigException.class)
      .hasMessageStartingWith("no cluster secret: set CLUSTER_SECRET_FILE");
    assertThatThrownBy(() -> fromEnv(Map.of("CLUSTER_SECRET", "short-secret")))
      .hasMessageStartingWith("CLUSTER_SECRET holds 12 characters: a secret needs 16 to 4096")
      .hasMessageNotContaining("short-secret");
    Path missing = dir.resolve("none");
    assertThatThrownBy(() -> fromEnv(Map.of("CLUSTER_SECRET_FILE", missing.toString())))
      .hasMessageStartingWith("CLUSTER_SECRET_FILE=" + missing + " cannot be read: NoSuchFileException");
    assertThatThrownBy(() -> fromEnv(Map.of("CLUSTER_SECRET_FILE", dir.toString())))
      .hasMessageStartingWith("CLUSTER_SECRET_FILE=" + dir + " cannot be read");
    assertThatThrownBy(() -> fromEnv(Map.of("CLUSTER_SECRET", SECRET, "CLUSTER_SECRET_FILE", "/x")))
      .hasMessage("CLUSTER_SECRET_FILE and CLUSTER_SECRET are both set: set one of them");
    assertThatThrownBy(() -> fromEnv(Map.of("CLUSTER_SECRET", SECRET, "CLUSTER_INSECURE", "true")))
      .hasMessageStartingWith("CLUSTER_INSECURE=true and a cluster secret are both set");
    assertThatThrownBy(() -> fromEnv(Map.of("CLUSTER_INSECURE", "yes")))
      .hasMessage("CLUSTER_INSECURE=yes is invalid: expected true or false");
  }
}
