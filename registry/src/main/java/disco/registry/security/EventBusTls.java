package disco.registry.security;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.JksOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.NamedParameterSpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The TLS identity every node of one cluster presents on the event bus, and the only one it
 * accepts: an Ed25519 key and a self-signed certificate, both derived from the cluster secret. So
 * the event bus is closed with mutual authentication and no file beside the secret: a process
 * without the secret can neither connect to a node's event-bus port nor be connected to (the
 * certificate is the one trust anchor, and the handshake proves the key). Every JVM derives the same
 * bytes: an Ed25519 key is its 32-byte seed (RFC 8032) and its signatures are deterministic.
 */
public final class EventBusTls {

  /** Ed25519's object identifier, 1.3.101.112 (RFC 8410), as an AlgorithmIdentifier. */
  private static final byte[] ED25519 = {0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70};
  /**
   * The attribute type organizationName, 2.5.4.10: a subject with no common name (and no alternative
   * name), which Vert.x would take for a host name and wrap the key again for (SNI) in a PKCS#12
   * store, 10,000 rounds of PBKDF2: seconds of CPU on a starved node (StarvedStartIT).
   */
  private static final byte[] ORGANIZATION = {0x06, 0x03, 0x55, 0x04, 0x0A};
  private static final int SEQUENCE = 0x30;
  private static final int SET = 0x31;
  private static final int INTEGER = 0x02;
  private static final int BIT_STRING = 0x03;
  private static final int UTF8_STRING = 0x0C;
  private static final int UTC_TIME = 0x17;
  private static final int GENERALIZED_TIME = 0x18;
  private static final int EXPLICIT_0 = 0xA0;

  private final KeyPair key;
  private final X509Certificate certificate;
  /** Only to hand the key to Vert.x as a key store: it never leaves the process. */
  private final String storePassword;

  private EventBusTls(KeyPair key, X509Certificate certificate, String storePassword) {
    this.key = key;
    this.certificate = certificate;
    this.storePassword = storePassword;
  }

  /** The identity that {@code seed}, 32 bytes derived from the cluster secret, yields. */
  static EventBusTls fromSeed(byte[] seed) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
      generator.initialize(NamedParameterSpec.ED25519, new SeedRandom(seed));
      KeyPair key = generator.generateKeyPair();
      X509Certificate certificate = selfSigned(key, "disco event bus");
      byte[] password = new byte[16];
      new SecureRandom().nextBytes(password);
      return new EventBusTls(key, certificate, HexFormat.of().formatHex(password));
    } catch (GeneralSecurityException e) {
      // Ed25519 is in every Java platform since 15
      throw new IllegalStateException("cannot make the event bus's TLS identity: " + e, e);
    }
  }

  /** {@code options} with TLS, this identity as the node's own and as the only one trusted, and client authentication. */
  public EventBusOptions applyTo(EventBusOptions options) {
    return options.setSsl(true)
      .setClientAuth(ClientAuth.REQUIRED)
      .setKeyCertOptions(new JksOptions().setValue(keyStore()).setPassword(storePassword))
      .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(pem())));
  }

  /** The certificate, PEM-encoded: what a peer must present. */
  public String pem() {
    try {
      return "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(certificate.getEncoded())
        + "\n-----END CERTIFICATE-----\n";
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A JKS store, not PKCS#12: PKCS#12 protects a key with 10,000 rounds of PBKDF2 when it is stored
   * and again when it is read, which costs a starved node seconds; the store never leaves the process.
   */
  private Buffer keyStore() {
    try {
      KeyStore store = KeyStore.getInstance("JKS");
      store.load(null, null);
      store.setKeyEntry("node", key.getPrivate(), storePassword.toCharArray(), new Certificate[] {certificate});
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      store.store(out, storePassword.toCharArray());
      return Buffer.buffer(out.toByteArray());
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot store the event bus's TLS key: " + e, e);
    }
  }

  /**
   * An X.509 v3 certificate of {@code key}, signed by itself, valid from 2000 to the end of 9999
   * (RFC 5280's "no expiry"): its bytes depend on the key and the name only.
   */
  private static X509Certificate selfSigned(KeyPair key, String name) throws GeneralSecurityException {
    byte[] subject = der(SEQUENCE, der(SET, der(SEQUENCE, ORGANIZATION, der(UTF8_STRING, name.getBytes(StandardCharsets.UTF_8)))));
    byte[] validity = der(SEQUENCE, der(UTC_TIME, ascii("000101000000Z")), der(GENERALIZED_TIME, ascii("99991231235959Z")));
    byte[] tbs = der(SEQUENCE,
      der(EXPLICIT_0, der(INTEGER, new byte[] {2})),
      der(INTEGER, new byte[] {1}),
      ED25519, subject, validity, subject,
      key.getPublic().getEncoded());
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(key.getPrivate());
    signer.update(tbs);
    byte[] signature = signer.sign();
    byte[] bits = new byte[signature.length + 1];
    System.arraycopy(signature, 0, bits, 1, signature.length);
    byte[] encoded = der(SEQUENCE, tbs, ED25519, der(BIT_STRING, bits));
    return (X509Certificate) CertificateFactory.getInstance("X.509")
      .generateCertificate(new ByteArrayInputStream(encoded));
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /** A DER element: its tag, its definite length, then the parts one after another. */
  private static byte[] der(int tag, byte[]... parts) {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      content.writeBytes(part);
    }
    int length = content.size();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    if (length < 0x80) {
      out.write(length);
    } else if (length < 0x100) {
      out.write(0x81);
      out.write(length);
    } else {
      out.write(0x82);
      out.write(length >> 8);
      out.write(length & 0xFF);
    }
    out.writeBytes(content.toByteArray());
    return out.toByteArray();
  }

  /** Hands the key generator the seed as its "random" bytes: Ed25519's private key is exactly those 32 bytes. */
  private static final class SeedRandom extends SecureRandom {
    private final byte[] seed;

    SeedRandom(byte[] seed) {
      this.seed = seed.clone();
    }

    @Override
    public void nextBytes(byte[] bytes) {
      if (bytes.length != seed.length) {
        throw new IllegalStateException("the key generator asked for " + bytes.length + " bytes, not the seed's " + seed.length);
      }
      System.arraycopy(seed, 0, bytes, 0, seed.length);
    }
  }
}
