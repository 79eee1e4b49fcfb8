package disco.registry.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;

class EventBusTlsTest {

  private static final String SECRET = "a-cluster-secret-of-some-length";

  private static X509Certificate certificate(EventBusTls tls) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509")
      .generateCertificate(new ByteArrayInputStream(tls.pem().getBytes(StandardCharsets.US_ASCII)));
  }

  /** What lets every node of a cluster, in any JVM, trust every other without a file beside the secret. */
  @Test
  void every_holder_of_the_secret_derives_the_same_identity() {
    assertThat(ClusterSecret.of(SECRET).eventBusTls().orElseThrow().pem())
      .isEqualTo(ClusterSecret.of(SECRET).eventBusTls().orElseThrow().pem());
  }

  @Test
  void another_secret_yields_another_identity() {
    assertThat(ClusterSecret.of(SECRET).eventBusTls().orElseThrow().pem())
      .isNotEqualTo(ClusterSecret.of(SECRET + "!").eventBusTls().orElseThrow().pem());
  }

  @Test
  void the_certificate_is_an_ed25519_one_signed_by_its_own_key() throws Exception {
    X509Certificate certificate = certificate(ClusterSecret.of(SECRET).eventBusTls().orElseThrow());

    certificate.verify(certificate.getPublicKey());
    certificate.checkValidity();
    assertThat(certificate.getSigAlgName()).isEqualTo("Ed25519");
    assertThat(certificate.getSubjectX500Principal()).isEqualTo(certificate.getIssuerX500Principal());
  }

  @Test
  void the_event_bus_requires_tls_and_a_client_certificate() {
    EventBusOptions options = ClusterSecret.of(SECRET).eventBusTls().orElseThrow().applyTo(new EventBusOptions());

    assertThat(options.isSsl()).isTrue();
    assertThat(options.getClientAuth()).isEqualTo(ClientAuth.REQUIRED);
    assertThat(options.getKeyCertOptions()).isNotNull();
    assertThat(options.getTrustOptions()).isNotNull();
  }

  @Test
  void an_open_cluster_has_an_open_event_bus() {
    assertThat(ClusterSecret.insecure().eventBusTls()).isEmpty();
  }
}
