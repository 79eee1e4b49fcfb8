package disco.registry.security;

import disco.registry.config.ConfigException;
import disco.registry.config.Env;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret every node of one cluster shares. Hazelcast's open-source member protocol checks
 * nothing but the cluster name at join, so the name a node joins under is derived from the secret:
 * nodes with another secret (another `./disco up`, another stack on the same network) form another
 * cluster. And every record carries an HMAC over its content, so a process that reaches the map
 * without the secret cannot publish an address anyone will call.
 * Insecure (no secret) only when asked for: then names are used as given and records are not signed.
 */
public final class ClusterSecret {

  public static final int MIN_LENGTH = 16;
  static final int MAX_LENGTH = 4096;
  /** Where a record keeps its signature: in the metadata, which vertx-service-discovery leaves to the publisher. */
  public static final String SIGNATURE = "signature";
  public static final String GENERATE = "head -c 32 /dev/urandom | base64 > cluster.secret";
  private static final String HMAC = "HmacSHA256";

  /** Whether a record can be trusted, and if not, why. */
  public enum Verdict {
    VALID, UNSIGNED, FORGED;

    public String reason() {
      return switch (this) {
        case VALID -> "valid";
        case UNSIGNED -> "no signature";
        case FORGED -> "signature does not match its content";
      };
    }
  }

  private final SecretKeySpec nameKey;
  private final SecretKeySpec recordKey;
  /** Derived when first asked for: a node with no event bus never needs it. */
  private volatile EventBusTls eventBusTls;
  private final byte[] eventBusSeed;

  private ClusterSecret(byte[] secret) {
    if (secret == null) {
      nameKey = null;
      recordKey = null;
      eventBusSeed = null;
    } else {
      // one key per use, so that a value seen in one place (the cluster name is in every log line)
      // tells nothing about the other
      SecretKeySpec master = new SecretKeySpec(secret, HMAC);
      nameKey = new SecretKeySpec(hmac(master, "disco/cluster-name"), HMAC);
      recordKey = new SecretKeySpec(hmac(master, "disco/record-signature"), HMAC);
      eventBusSeed = hmac(master, "disco/event-bus-tls-key");
    }
  }

  /** A cluster that holds this secret; at least {@link #MIN_LENGTH} characters. */
  public static ClusterSecret of(String secret) {
    if (secret.length() < MIN_LENGTH || secret.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("a cluster secret has " + MIN_LENGTH + " to " + MAX_LENGTH + " characters");
    }
    return new ClusterSecret(secret.getBytes(StandardCharsets.UTF_8));
  }

  /** An open cluster: for CLUSTER_INSECURE=true only. */
  public static ClusterSecret insecure() {
    return new ClusterSecret(null);
  }

  /**
   * CLUSTER_SECRET_FILE (a Docker secret), else CLUSTER_SECRET (local runs), else refused unless
   * CLUSTER_INSECURE=true. The secret's value is never part of an error message.
   */
  public static ClusterSecret fromEnv(Env env) {
    String file = env.string("CLUSTER_SECRET_FILE", null);
    String value = env.string("CLUSTER_SECRET", null);
    boolean insecure = env.bool("CLUSTER_INSECURE", false);
    if (file != null && value != null) {
      throw new ConfigException("CLUSTER_SECRET_FILE and CLUSTER_SECRET are both set: set one of them");
    }
    if (insecure) {
      if (file != null || value != null) {
        throw new ConfigException("CLUSTER_INSECURE=true and a cluster secret are both set: drop one of them");
      }
      return insecure();
    }
    if (file == null && value == null) {
      throw new ConfigException("no cluster secret: set CLUSTER_SECRET_FILE to a file made with '" + GENERATE
        + "' (or CLUSTER_SECRET), or CLUSTER_INSECURE=true for an open cluster");
    }
    String secret = file != null ? read(file) : value;
    String source = file != null ? "CLUSTER_SECRET_FILE " + file : "CLUSTER_SECRET";
    if (secret.length() < MIN_LENGTH || secret.length() > MAX_LENGTH) {
      throw new ConfigException(source + " holds " + secret.length() + " characters: a secret needs " + MIN_LENGTH
        + " to " + MAX_LENGTH + " (make one with '" + GENERATE + "')");
    }
    return of(secret);
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
    } catch (IOException | RuntimeException e) {
      throw new ConfigException("CLUSTER_SECRET_FILE=" + file + " cannot be read: " + e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : " " + e.getMessage()));
    }
  }

  public boolean isInsecure() {
    return recordKey == null;
  }

  /** The name Hazelcast joins under: the configured name, plus a tag only holders of the secret can compute. */
  public String clusterName(String name) {
    if (isInsecure()) {
      return name;
    }
    return name + "-" + HexFormat.of().formatHex(hmac(nameKey, name), 0, 8);
  }

  /**
   * The TLS identity every node of this cluster presents and accepts on the event bus; none for an
   * open cluster, whose event bus is open too.
   */
  public Optional<EventBusTls> eventBusTls() {
    if (isInsecure()) {
      return Optional.empty();
    }
    if (eventBusTls == null) {
      eventBusTls = EventBusTls.fromSeed(eventBusSeed);
    }
    return Optional.of(eventBusTls);
  }

  /** {@code record} with its signature in the metadata; unchanged for an open cluster. */
  public Record sign(Record record) {
    if (isInsecure()) {
      return record;
    }
    JsonObject metadata = record.getMetadata() == null ? new JsonObject() : record.getMetadata().copy();
    metadata.remove(SIGNATURE);
    record.setMetadata(metadata);
    metadata.put(SIGNATURE, signatureOf(record));
    return record;
  }

  /** Whether {@code record} was signed with this secret, over its content as it is now. */
  public Verdict verify(Record record) {
    if (isInsecure()) {
      return Verdict.VALID;
    }
    Object signature = record.getMetadata() == null ? null : record.getMetadata().getValue(SIGNATURE);
    if (!(signature instanceof String given)) {
      return Verdict.UNSIGNED;
    }
    byte[] expected = signatureOf(record).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.US_ASCII)) ? Verdict.VALID : Verdict.FORGED;
  }

  private String signatureOf(Record record) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(recordKey, CanonicalRecord.of(record)));
  }

  private static byte[] hmac(SecretKeySpec key, String text) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      // HmacSHA256 is one of the algorithms every Java platform must provide
      throw new IllegalStateException(e);
    }
  }
}
