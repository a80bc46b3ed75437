package io.shulian.core.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.testing.TestParties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Selecting a party's certificate by use, as read from its cert.pem. */
class PartyCertificatesTest {
  @TempDir Path tmp;

  @Test
  void forUse_certPem_picksEachUse() throws Exception {
    PartyIdentity id = TestParties.pair(Suite.GM)[0];
    Path pem = tmp.resolve("cert.pem");
    Files.writeString(pem, PartyCertificate.toPem(id.certificates()));
    PartyCertificates certs = PartyCertificates.readPem(pem);
    assertThat(certs.all()).hasSize(3);
    assertThat(certs.forUse(KeyUse.ENCRYPT)).isEqualTo(id.encryptionCertificate());
    assertThat(certs.forUse(KeyUse.SIGN)).isEqualTo(id.signingCertificate());
    assertThat(certs.forUse(KeyUse.TLS)).isEqualTo(id.tlsCertificate().orElseThrow());
    assertThat(certs.withKeyId(id.encryptionCertificate().keyId())).contains(id.encryptionCertificate());
  }

  @Test
  void forUse_noneAllowsIt_typedErrorNamingTheUse() throws Exception {
    PartyIdentity id = TestParties.pair(Suite.INTL)[0];
    PartyCertificates certs = PartyCertificates.of(List.of(id.signingCertificate()));
    assertThatThrownBy(() -> certs.forUse(KeyUse.ENCRYPT))
        .isInstanceOf(KeyMaterialException.class).hasMessageContaining("no certificate for ENCRYPT");
  }

  @Test
  void forUse_twoEncryptionCertificates_ambiguousRefused() throws Exception {
    List<PartyCertificate> both = new ArrayList<>(TestParties.pair(Suite.INTL)[0].certificates());
    both.add(TestParties.pair(Suite.INTL)[1].encryptionCertificate());
    PartyCertificates certs = PartyCertificates.fromPem(PartyCertificate.toPem(both));
    assertThatThrownBy(() -> certs.forUse(KeyUse.ENCRYPT))
        .isInstanceOf(KeyMaterialException.class).hasMessageContaining("2 certificates allow ENCRYPT");
    assertThat(certs.forUse(KeyUse.SIGN)).isEqualTo(TestParties.pair(Suite.INTL)[0].signingCertificate());
  }
}
